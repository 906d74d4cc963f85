"""The NetworkPolicies of deploy/k8s, evaluated: which pod may open which port of which other pod.

The rendered policies are applied to a model of the running platform (one pod per workload with
its labels and ports, the CloudNativePG instances or the dev PostgreSQL, the cluster DNS, the
CloudNativePG operator, a collector, the internet) the way Kubernetes does: a connection needs the
source's egress and the destination's ingress to allow it, once a policy selects the pod. The
result must be exactly the platform's documented paths, and cover every call the code makes.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from labs_common.config import SERVICE_PORT_OFFSETS, BaseLabsSettings

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.parent.name for p in (ROOT / "services").glob("*/pyproject.toml"))
PORT_BASE = BaseLabsSettings.model_fields["port_base"].default
TARGETS = ("base", "overlays/dev", "overlays/prod", "prod+telemetry")
# Who calls whom over gRPC, besides the gateway (every service) and identity (every service
# fetches its public keys to verify tokens). deploy/k8s/base/network-policies.yaml says the same.
CALLS = {
    "time": {"projects", "capacity"},
    "billing": {"projects", "time", "capacity"},
    "capacity": {"projects"},
    "forecasting": {"projects", "time", "billing", "capacity"},
    "integrations": {"projects", "time"},
}
# Their third-party APIs, on the public internet.
# Integrations: the platforms' APIs, integrators' webhook endpoints (443, or 80 without TLS), mail.
INTERNET_PORTS = {"billing": {443}, "integrations": {443, 80, 587}, "forecasting": {587},
                  "identity": {587}}
DATABASE_PORTS = (5432, 8000)  # PostgreSQL; CloudNativePG's instance manager (status)


@dataclass
class Pod:
    name: str
    namespace: str | None
    labels: dict[str, str] | None  # None: an address outside the cluster
    ip: str
    ports: dict[str, int] = field(default_factory=dict)  # name -> number (unnamed: str(number))

    @property
    def numbers(self) -> set[int]:
        return set(self.ports.values())


def selects(selector: dict, labels: dict[str, str]) -> bool:
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values")
        present = key in labels
        if ((operator == "In" and labels.get(key) not in values)
                or (operator == "NotIn" and present and labels[key] in values)
                or (operator == "Exists" and not present)
                or (operator == "DoesNotExist" and present)):
            return False
    return True


def namespace_labels(namespace: str | None) -> dict[str, str]:
    return {"kubernetes.io/metadata.name": namespace or "default"}


def peer_matches(peer: dict, policy_namespace: str | None, pod: Pod) -> bool:
    if block := peer.get("ipBlock"):
        address = ipaddress.ip_address(pod.ip)
        return (address in ipaddress.ip_network(block["cidr"])
                and not any(address in ipaddress.ip_network(e) for e in block.get("except", [])))
    if pod.labels is None:  # an address outside the cluster: only an ipBlock names it
        return False
    if (ns := peer.get("namespaceSelector")) is not None:
        if not selects(ns, namespace_labels(pod.namespace)):
            return False
    elif pod.namespace != policy_namespace:
        return False
    return "podSelector" not in peer or selects(peer["podSelector"], pod.labels)


def port_matches(rule_ports: list[dict] | None, destination: Pod, port: int, protocol: str) -> bool:
    if not rule_ports:
        return True
    for rule in rule_ports:
        if rule.get("protocol", "TCP") != protocol:
            continue
        value = rule.get("port")
        if value is None:
            return True
        if isinstance(value, str):  # a named port: resolved on the destination pod
            value = destination.ports.get(value)
        if value == port or (value is not None and value <= port <= rule.get("endPort", value)):
            return True
    return False


class Network:
    def __init__(self, docs: list[dict]):
        self.policies = [d for d in docs if d["kind"] == "NetworkPolicy"]

    def _selecting(self, pod: Pod, direction: str) -> list[dict]:
        if pod.labels is None:
            return []
        return [p for p in self.policies
                if p["metadata"].get("namespace") == pod.namespace
                and selects(p["spec"]["podSelector"], pod.labels)
                and direction in p["spec"].get("policyTypes", ["Ingress"])]

    def allows(self, source: Pod, destination: Pod, port: int, protocol: str = "TCP") -> bool:
        egress = self._selecting(source, "Egress")
        if egress and not any(
            (not rule.get("to") or any(peer_matches(peer, source.namespace, destination)
                                       for peer in rule["to"]))
            and port_matches(rule.get("ports"), destination, port, protocol)
            for policy in egress for rule in policy["spec"].get("egress") or []
        ):
            return False
        ingress = self._selecting(destination, "Ingress")
        return not ingress or any(
            (not rule.get("from") or any(peer_matches(peer, destination.namespace, source)
                                         for peer in rule["from"]))
            and port_matches(rule.get("ports"), destination, port, protocol)
            for policy in ingress for rule in policy["spec"].get("ingress") or []
        )


# --- the model of a running platform ---------------------------------------------------------

def platform(docs: list[dict]) -> dict[str, Pod]:
    """One pod per workload, plus what runs beside the manifests: CloudNativePG instances when
    the rendering has Clusters, and the pods and addresses of other namespaces and the internet."""
    namespace = next((d["metadata"].get("namespace") for d in docs
                      if d["kind"] == "Deployment"), None)
    pods: dict[str, Pod] = {}
    for number, workload in enumerate(d for d in docs if d["kind"] in ("Deployment",
                                                                        "StatefulSet")):
        template = workload["spec"]["template"]
        ports = {p.get("name", str(p["containerPort"])): p["containerPort"]
                 for c in template["spec"]["containers"] for p in c.get("ports", [])}
        pods[workload["metadata"]["name"]] = Pod(
            workload["metadata"]["name"], namespace, template["metadata"]["labels"],
            f"10.244.0.{number + 10}", ports)
    for number, cluster in enumerate(d for d in docs if d["kind"] == "Cluster"):
        name = cluster["metadata"]["name"]
        labels = {**cluster["spec"]["inheritedMetadata"]["labels"], "cnpg.io/cluster": name}
        pods[name] = Pod(name, namespace, labels, f"10.244.1.{number + 10}",
                         {str(p): p for p in DATABASE_PORTS})
    pods["kube-dns"] = Pod("kube-dns", "kube-system", {"k8s-app": "kube-dns"}, "10.244.2.2",
                           {"dns": 53})
    pods["cnpg-operator"] = Pod("cnpg-operator", "cnpg-system",
                                {"app.kubernetes.io/name": "cloudnative-pg"}, "10.244.2.3")
    pods["otel-collector"] = Pod("otel-collector", "observability",
                                 {"app.kubernetes.io/name": "otel-collector"}, "10.244.2.4",
                                 {"otlp-grpc": 4317})
    pods["internet"] = Pod("internet", None, None, "203.0.113.10",
                           {"https": 443, "smtp": 587, "http": 80})
    pods["cloud-metadata"] = Pod("cloud-metadata", None, None, "169.254.169.254", {"http": 80})
    return pods


def grpc_port(name: str) -> int:
    return PORT_BASE + SERVICE_PORT_OFFSETS[name]


def in_namespace_paths(docs: list[dict]) -> set[tuple[str, str, int]]:
    """Every (source, destination, port) the policies allow between the platform's own pods."""
    pods = platform(docs)
    network = Network(docs)
    own = [p for p in pods.values() if p.namespace not in ("kube-system", "cnpg-system",
                                                           "observability") and p.labels]
    return {(s.name, d.name, port) for s in own for d in own for port in d.numbers
            if network.allows(s, d, port)}


def expected_paths(docs: list[dict]) -> set[tuple[str, str, int]]:
    pods = platform(docs)
    paths = {("gateway", name, grpc_port(name)) for name in SERVICES}
    for name in SERVICES:
        for callee in {"identity", *CALLS.get(name, ())} - {name}:
            paths.add((name, callee, grpc_port(callee)))
    paths |= {(name, "nats", 4222) for name in [*SERVICES, "gateway"]}
    paths.add(("nats", "nats", 6222))  # cluster routes
    if "postgres" in pods:  # overlays/dev: one server, every service's database on it
        paths |= {(name, "postgres", 5432) for name in SERVICES}
    for name in SERVICES:
        if f"{name}-db" in pods:  # CloudNativePG: its own cluster only, which replicates itself
            paths.add((name, f"{name}-db", 5432))
            paths |= {(f"{name}-db", f"{name}-db", port) for port in DATABASE_PORTS}
    return paths


@pytest.fixture(params=TARGETS)
def docs(request, render) -> list[dict]:
    return render(request.param)


# --- the tests ---------------------------------------------------------------------------------

def test_everything_is_denied_both_ways_unless_a_policy_names_it(docs):
    deny = next(p for p in docs if p["kind"] == "NetworkPolicy"
                and p["metadata"]["name"] == "default-deny")
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_each_workload_has_its_own_policy_for_both_directions(docs):
    network = Network(docs)
    for pod in platform(docs).values():
        if pod.namespace in ("kube-system", "cnpg-system", "observability") or not pod.labels:
            continue
        own = [p for p in network.policies if p["spec"]["podSelector"] != {}
               and selects(p["spec"]["podSelector"], pod.labels)]
        assert own, f"{pod.name}: no NetworkPolicy of its own"
        assert any(p["metadata"]["name"] == pod.labels.get("app.kubernetes.io/name", pod.name)
                   or p["metadata"]["name"] == pod.name for p in own), pod.name


def test_the_pods_reach_each_other_by_exactly_the_documented_paths(docs):
    actual, expected = in_namespace_paths(docs), expected_paths(docs)
    assert not expected - actual, f"blocked: {sorted(expected - actual)}"
    assert not actual - expected, f"open beyond the documented paths: {sorted(actual - expected)}"


def test_every_call_the_code_makes_has_a_path(docs):
    """A service that starts calling a new peer fails here until its policy says so."""
    pods, network = platform(docs), Network(docs)
    calls = re.compile(r"open_channel\(\s*\w+,\s*[\"'](\w+)[\"']")
    for name in SERVICES:
        sources = (ROOT / "services" / name / "src").rglob("*.py")
        called = {callee for path in sources for callee in calls.findall(path.read_text())}
        # labs_common.service opens a channel to identity for every service (its JWKS).
        for callee in (called | {"identity"}) - {name}:
            assert network.allows(pods[name], pods[callee], grpc_port(callee)), (
                f"{name} calls {callee}: add the path to deploy/k8s/base/services/{name}/"
                f"kustomization.yaml (egress) and {callee}/kustomization.yaml (ingress)")


def test_clients_reach_the_gateway_and_nothing_else(docs):
    pods, network = platform(docs), Network(docs)
    client = pods["internet"]
    assert network.allows(client, pods["gateway"], 8000)
    for pod in pods.values():
        if pod.name != "gateway" and pod.labels and pod.namespace == pods["gateway"].namespace:
            for port in pod.numbers:
                assert not network.allows(client, pod, port), f"internet -> {pod.name}:{port}"


def object_storage(docs: list[dict]) -> bool:
    """Whether projects keeps its files in an S3 bucket (overlays/prod), reached on 443."""
    projects = next(d for d in docs if d["kind"] == "Deployment"
                    and d["metadata"]["name"] == "projects")
    config_maps = {d["metadata"]["name"]: d for d in docs if d["kind"] == "ConfigMap"}
    return any("LABS_S3_BUCKET" in config_maps[source["configMapRef"]["name"]].get("data", {})
               for c in projects["spec"]["template"]["spec"]["containers"]
               for source in c.get("envFrom", []) if "configMapRef" in source)


def test_only_the_services_that_call_out_reach_the_internet_on_their_ports(docs):
    pods, network = platform(docs), Network(docs)
    ports = {**INTERNET_PORTS, "projects": {443} if object_storage(docs) else set()}
    for name in [*SERVICES, "gateway", "nats"]:
        for port in pods["internet"].numbers:
            allowed = network.allows(pods[name], pods["internet"], port)
            assert allowed == (port in ports.get(name, set())), f"{name} -> :{port}"
        # Not even they reach the cloud's metadata endpoint.
        assert not network.allows(pods[name], pods["cloud-metadata"], 80), name


def test_every_pod_resolves_names_through_the_cluster_dns(docs):
    pods, network = platform(docs), Network(docs)
    for pod in pods.values():
        if pod.labels and pod.namespace == pods["gateway"].namespace:
            assert network.allows(pod, pods["kube-dns"], 53, "UDP"), pod.name
            assert network.allows(pod, pods["kube-dns"], 53, "TCP"), pod.name


def test_cloudnative_pg_keeps_its_own_paths(render):
    docs = render("overlays/prod")
    pods, network = platform(docs), Network(docs)
    for name in SERVICES:
        database = pods[f"{name}-db"]
        for port in DATABASE_PORTS:
            assert network.allows(pods["cnpg-operator"], database, port), (name, port)
        # The instance manager reports to the Kubernetes API server.
        api_server = Pod("api", None, None, "192.0.2.1", {"https": 6443})
        assert network.allows(database, api_server, 6443)
        assert not network.allows(database, pods["internet"], 80)


@pytest.mark.parametrize("target,exports", [("overlays/prod", False), ("prod+telemetry", True)])
def test_traces_reach_the_collector_only_with_the_telemetry_component(render, target, exports):
    docs = render(target)
    pods, network = platform(docs), Network(docs)
    for name in [*SERVICES, "gateway"]:
        assert network.allows(pods[name], pods["otel-collector"], 4317) == exports, name
