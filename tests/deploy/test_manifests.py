"""The Kustomize manifests (deploy/k8s) and the Tiltfile, checked statically against the code:
every service is deployed, probed and hardened, and every LABS_*/OTEL_* variable a manifest sets is
one the code's settings actually read."""

from __future__ import annotations

import base64
import importlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import AliasChoices

from labs_common.config import SERVICE_PORT_OFFSETS, BaseLabsSettings, ServiceSettings
from labs_common.config import SERVICES as CONFIG_SERVICES
from labs_common.grpc.server import LIVENESS

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
# What the `render` fixture (conftest.py) knows how to build.
OVERLAYS = ("base", "overlays/dev", "overlays/prod")
TARGETS = (*OVERLAYS, "prod+telemetry")
PROD_TARGETS = tuple(t for t in TARGETS if t.startswith("overlays/prod") or t.startswith("prod+"))
DEV_TARGETS = tuple(t for t in TARGETS if t.startswith("overlays/dev") or t.startswith("dev+"))
# Every service config.py knows and every service folder (test_every_service_folder_is_a_known_
# service holds them equal): a service missing from the manifests fails by name.
SERVICES = sorted({p.parent.name for p in (ROOT / "services").glob("*/pyproject.toml")}
                  | set(CONFIG_SERVICES))
WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job"}
PORT_BASE = BaseLabsSettings.model_fields["port_base"].default
GATEWAY_PORT = 8000
# Settings that a service's own module adds to ServiceSettings (or the gateway's to
# BaseLabsSettings). Used only while that module cannot be imported; once it can, its fields rule.
FALLBACK_FIELDS = {
    "gateway": {"LABS_GATEWAY_HOST", "LABS_GATEWAY_PORT"},
    "identity": {"LABS_SIGNING_KEY_PASSPHRASE"},
}
# Secrets a platform operator creates by hand (documented in deploy/k8s/README.md), never rendered.
OPERATOR_SECRETS = {"identity-signing-key", "labs-delegation", "integrations-platforms",
                    "projects-s3", "nats-nkeys"}


# --- reading rendered objects --------------------------------------------------------------------

def find(docs: list[dict], kind: str, name: str) -> dict | None:
    return next((d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name), None)


def workloads(docs: list[dict]) -> Iterator[dict]:
    return (d for d in docs if d["kind"] in WORKLOAD_KINDS)


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def all_containers(workload: dict) -> list[dict]:
    spec = pod_spec(workload)
    return [*spec.get("initContainers", []), *spec["containers"]]


def container(workload: dict, name: str) -> dict:
    return next(c for c in pod_spec(workload)["containers"] if c["name"] == name)


def generated_name(docs: list[dict], kind: str, name: str) -> str | None:
    """The rendered name of a generated ConfigMap/Secret (kustomize appends a content hash)."""
    pattern = re.compile(rf"{re.escape(name)}(-[a-z0-9]{{10}})?")
    return next((d["metadata"]["name"] for d in docs
                 if d["kind"] == kind and pattern.fullmatch(d["metadata"]["name"])), None)


def environment(docs: list[dict], c: dict) -> dict[str, object]:
    """A container's variables: envFrom ConfigMaps/Secrets first, then env (which wins)."""
    env: dict[str, object] = {}
    for source in c.get("envFrom", []):
        prefix = source.get("prefix", "")
        if ref := source.get("configMapRef"):
            config_map = find(docs, "ConfigMap", ref["name"])
            assert config_map is not None, f"{c['name']}: ConfigMap {ref['name']} is not rendered"
            env.update({prefix + k: v for k, v in config_map.get("data", {}).items()})
        if ref := source.get("secretRef"):
            secret = find(docs, "Secret", ref["name"])
            assert secret is not None, f"{c['name']}: Secret {ref['name']} is not rendered"
            env.update({prefix + k: "<secret>" for k in secret.get("data", {})})
    for variable in c.get("env", []):
        env[variable["name"]] = variable.get("value", variable.get("valueFrom"))
    return env


def is_labs(workload: dict) -> bool:
    return workload["metadata"].get("labels", {}).get("app.kubernetes.io/part-of") == "labs"


# --- what the code reads -------------------------------------------------------------------------

def env_names(model: type[BaseLabsSettings]) -> set[str]:
    """The environment variables a pydantic-settings model reads (aliases, else prefix + field)."""
    prefix = model.model_config.get("env_prefix", "")
    names: set[str] = set()
    for field_name, field in model.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, str):
            names.add(alias.upper())
        elif isinstance(alias, AliasChoices):
            names.update(choice.upper() for choice in alias.choices if isinstance(choice, str))
        else:
            names.add(f"{prefix}{field_name}".upper())
    return names


def accepted_env(workload_name: str) -> set[str]:
    if workload_name == "gateway":
        module, attribute, fallback = "labs_gateway.config", "GatewaySettings", BaseLabsSettings
    elif workload_name in SERVICE_PORT_OFFSETS:
        module, attribute, fallback = f"labs_{workload_name}.config", "Settings", ServiceSettings
    else:
        return set()  # not a Labs process (NATS, PostgreSQL): no LABS_* or OTEL_* at all
    try:
        model = getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError):
        return env_names(fallback) | FALLBACK_FIELDS.get(workload_name, set())
    return env_names(model)


# --- every rendering -----------------------------------------------------------------------------

@pytest.mark.parametrize("target", TARGETS)
def test_every_kustomization_renders_with_unique_objects(render, target):
    docs = render(target)
    keys = [(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]) for d in docs]
    assert docs
    assert len(keys) == len(set(keys)), "two objects share a kind and a name"


def test_every_service_folder_is_a_known_service():
    assert SERVICES, "no services/*/pyproject.toml found"
    assert set(SERVICES) <= set(SERVICE_PORT_OFFSETS), "a service has no port offset in config.py"
    folders = {p.parent.name for p in (ROOT / "services").glob("*/pyproject.toml")}
    assert folders == set(SERVICES), "a service in config.py has no services/<name>/ folder"


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_is_a_few_lines_over_the_shared_grpc_service(name):
    """base/services/<name>/ names the service and its port; base/grpc-service holds the rest."""
    yaml = pytest.importorskip("yaml")
    folder = K8S / "base" / "services" / name
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    assert kustomization["components"] == ["../../grpc-service"]
    (values,) = [g for g in kustomization["configMapGenerator"] if g["name"] == "labs-service"]
    assert sorted(values["literals"]) == [f"name={name}",
                                          f"port={PORT_BASE + SERVICE_PORT_OFFSETS[name]}"]
    base = yaml.safe_load((K8S / "base/kustomization.yaml").read_text())
    assert f"services/{name}" in base["resources"]


@pytest.mark.parametrize("target", TARGETS)
def test_no_template_placeholder_or_value_reaches_a_rendering(render, target):
    """A field base/grpc-service forgets to replace keeps `SERVICE` or port 0; its values stay
    kustomize's own."""
    for doc in render(target):
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        text = json.dumps(doc)
        assert not re.search(r"\bSERVICE\b", text), f"{where}: an unreplaced SERVICE"
        assert not re.search(r'"(port|containerPort)": 0\b|"LABS_GRPC_PORT": "0"', text), where
        assert not doc["metadata"]["name"].startswith("labs-service"), where


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", SERVICES)
def test_each_service_has_a_deployment_service_and_account_sharing_its_name(render, target, name):
    docs = render(target)
    deployment, service, account = (find(docs, k, name)
                                    for k in ("Deployment", "Service", "ServiceAccount"))
    assert deployment and service and account, f"{name}: Deployment, Service, ServiceAccount"
    port = PORT_BASE + SERVICE_PORT_OFFSETS[name]
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "labs"}
    for obj in (deployment, service, account, deployment["spec"]["template"]["metadata"]):
        assert labels.items() <= obj.get("metadata", obj).get("labels", {}).items()
    assert pod_spec(deployment)["serviceAccountName"] == name
    server = container(deployment, "server")
    assert {"name": "grpc", "containerPort": port} in [
        {k: p[k] for k in ("name", "containerPort")} for p in server["ports"]]
    assert service["spec"]["selector"].items() <= labels.items()
    assert [(p["name"], p["port"], p["targetPort"]) for p in service["spec"]["ports"]] == [
        ("grpc", port, "grpc")]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", SERVICES)
def test_each_service_is_probed_with_native_grpc_health(render, target, name):
    server = container(find(render(target), "Deployment", name), "server")
    port = PORT_BASE + SERVICE_PORT_OFFSETS[name]
    # Readiness: the whole server (""), NOT_SERVING while the database or NATS is unreachable.
    assert server["readinessProbe"]["grpc"] == {"port": port}
    # Liveness and startup: the name labs_common keeps SERVING until shutdown, whatever the
    # dependencies say (a database failover must not restart every replica).
    for probe in ("livenessProbe", "startupProbe"):
        assert server[probe]["grpc"] == {"port": port, "service": LIVENESS}, f"{name}: {probe}"


@pytest.mark.parametrize("target", TARGETS)
def test_gateway_serves_http_probed_on_its_own_readiness_and_liveness(render, target):
    docs = render(target)
    deployment = find(docs, "Deployment", "gateway")
    assert deployment is not None
    assert find(docs, "Service", "gateway") and find(docs, "ServiceAccount", "gateway")
    assert pod_spec(deployment)["serviceAccountName"] == "gateway"
    server = container(deployment, "server")
    assert [(p["name"], p["containerPort"]) for p in server["ports"]] == [("http", GATEWAY_PORT)]
    # The gateway's own probes, which depend on no service: one sick service must not take every
    # gateway out of the Service (readiness) nor restart them (liveness).
    from labs_gateway.routes import probes

    paths = {route.path for route in probes.router.routes}
    assert server["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert "/readyz" in paths
    for probe in ("livenessProbe", "startupProbe"):
        assert server[probe]["httpGet"] == {"path": "/livez", "port": "http"}, probe
    assert "/livez" in paths


@pytest.mark.parametrize("target", TARGETS)
def test_every_labs_and_otel_variable_is_read_by_the_settings(render, target):
    docs = render(target)
    unknown = []
    for workload in workloads(docs):
        name = workload["metadata"]["name"]
        accepted = accepted_env(name)
        for c in all_containers(workload):
            for variable in environment(docs, c):
                if variable.startswith(("LABS_", "OTEL_")) and variable not in accepted:
                    unknown.append(f"{workload['kind']}/{name}/{c['name']}: {variable}")
    assert not unknown, "set in manifests but read by no settings class:\n" + "\n".join(unknown)


@pytest.mark.parametrize("target", TARGETS)
def test_processes_listen_beyond_loopback_and_find_each_other(render, target):
    docs = render(target)
    for name in SERVICES:
        env = environment(docs, container(find(docs, "Deployment", name), "server"))
        assert env["LABS_GRPC_HOST"] == "0.0.0.0"
        assert int(env["LABS_GRPC_PORT"]) == PORT_BASE + SERVICE_PORT_OFFSETS[name]
    gateway = environment(docs, container(find(docs, "Deployment", "gateway"), "server"))
    assert gateway["LABS_GATEWAY_HOST"] == "0.0.0.0"
    assert int(gateway["LABS_GATEWAY_PORT"]) == GATEWAY_PORT
    assert gateway["LABS_NATS_URL"] == "nats://nats:4222"
    assert 4222 in [p["port"] for p in find(docs, "Service", "nats")["spec"]["ports"]]
    for name, offset in SERVICE_PORT_OFFSETS.items():
        address = gateway[f"LABS_{name.upper()}_ADDR"]
        assert address == f"{name}:{PORT_BASE + offset}"
        host, port = address.split(":")
        assert int(port) in [p["port"] for p in find(docs, "Service", host)["spec"]["ports"]]


@pytest.mark.parametrize("target", TARGETS)
def test_base_settings_are_production_defaults_unless_dev(render, target):
    docs = render(target)
    env = environment(docs, container(find(docs, "Deployment", "gateway"), "server"))
    expected_env = "development" if target in DEV_TARGETS else "production"
    assert env["LABS_ENV"] == expected_env
    if target not in DEV_TARGETS:
        assert env["LABS_LOG_FORMAT"] == "json"


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", SERVICES)
def test_each_service_migrates_in_an_init_container_from_its_own_database(render, target, name):
    deployment = find(render(target), "Deployment", name)
    server = container(deployment, "server")
    (migrate,) = pod_spec(deployment)["initContainers"]
    assert migrate["image"] == server["image"]
    assert migrate["args"] == ["migrate"]
    assert environment(render(target), server)["LABS_MIGRATE_ON_START"] == "false"
    for c in (server, migrate):
        ref = {v["name"]: v for v in c["env"]}["LABS_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
        assert re.fullmatch(rf"{name}-db-app(-[a-z0-9]{{10}})?", ref["name"])
        assert ref["key"] == "uri"


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", [*SERVICES, "gateway"])
def test_each_process_reads_the_shared_config_then_its_own(render, target, name):
    docs = render(target)
    for c in all_containers(find(docs, "Deployment", name)):
        refs = [source["configMapRef"]["name"] for source in c["envFrom"]]
        assert refs == [generated_name(docs, "ConfigMap", "labs-env"),
                        generated_name(docs, "ConfigMap", f"{name}-env")], f"{name}/{c['name']}"


@pytest.mark.parametrize("target", TARGETS)
def test_nats_keeps_streams_on_disk_and_fsyncs_every_write(render, target):
    docs = render(target)
    nats = find(docs, "StatefulSet", "nats")
    (claim,) = nats["spec"]["volumeClaimTemplates"]
    mounts = {m["name"]: m["mountPath"] for m in container(nats, "nats")["volumeMounts"]}
    config = find(docs, "ConfigMap", generated_name(docs, "ConfigMap", "nats-config"))
    jetstream = re.search(r"^jetstream \{(.*?)^\}", config["data"]["nats.conf"], re.M | re.S)[1]
    settings = dict(re.findall(r"^\s*(\w+):\s*(\S+)", jetstream, re.M))
    assert settings["store_dir"] == mounts[claim["metadata"]["name"]]
    # The billing stream's acknowledged events must survive a node crash (NATS: per server).
    assert settings["sync_interval"] == "always"


@pytest.mark.parametrize("target", TARGETS)
def test_identity_reads_its_signing_key_passphrase_from_a_secret(render, target):
    identity = find(render(target), "Deployment", "identity")
    for c in all_containers(identity):
        variable = {v["name"]: v for v in c["env"]}["LABS_SIGNING_KEY_PASSPHRASE"]
        assert "value" not in variable
        assert variable["valueFrom"]["secretKeyRef"]["name"].startswith("identity-signing-key")


@pytest.mark.parametrize("target", TARGETS)
def test_identity_and_integrations_share_one_delegation_secret_and_no_one_else_has_it(
        render, target):
    docs = render(target)
    refs = {}
    for workload in workloads(docs):
        for c in all_containers(workload):
            variable = {v["name"]: v for v in c.get("env", [])}.get("LABS_DELEGATION_SECRET")
            if variable is not None:
                assert "value" not in variable
                refs[(workload["metadata"]["name"], c["name"])] = (
                    variable["valueFrom"]["secretKeyRef"]["name"],
                    variable["valueFrom"]["secretKeyRef"]["key"])
    assert set(refs) == {("identity", "server"), ("integrations", "server")}
    assert len(set(refs.values())) == 1
    assert next(iter(refs.values()))[0].startswith("labs-delegation")


@pytest.mark.parametrize("target", (*DEV_TARGETS, *PROD_TARGETS))
def test_every_referenced_secret_is_rendered_made_by_cloudnative_pg_or_documented(render, target):
    docs = render(target)
    readme = (K8S / "README.md").read_text()
    clusters = {d["metadata"]["name"] for d in docs if d["kind"] == "Cluster"}
    for workload in workloads(docs):
        for c in all_containers(workload):
            for variable in c.get("env", []):
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                if not ref:
                    continue
                secret = find(docs, "Secret", ref["name"])
                if secret is not None:
                    if ref.get("optional") and ref["key"] not in secret["data"]:
                        continue  # a setting left unset there (a platform's own secret)
                    assert ref["key"] in secret["data"]
                    base64.b64decode(secret["data"][ref["key"]])
                elif ref["name"].endswith("-app") and ref["name"][: -len("-app")] in clusters:
                    assert ref["key"] == "uri"
                else:
                    assert ref["name"] in OPERATOR_SECRETS, f"nothing creates {ref['name']}"
                    assert ref["name"] in readme, f"{ref['name']} is not documented"


@pytest.mark.parametrize("target", TARGETS)
def test_pods_are_hardened(render, target):
    docs = render(target)
    for workload in workloads(docs):
        name = f"{workload['kind']}/{workload['metadata']['name']}"
        spec = pod_spec(workload)
        pod = spec.get("securityContext", {})
        assert spec.get("automountServiceAccountToken") is False, name
        assert pod.get("seccompProfile", {}).get("type") == "RuntimeDefault", name
        for c in all_containers(workload):
            where = f"{name}/{c['name']}"
            context = c.get("securityContext", {})
            assert context.get("runAsNonRoot", pod.get("runAsNonRoot")) is True, where
            assert context.get("runAsUser", pod.get("runAsUser", 1)) != 0, where
            assert context.get("allowPrivilegeEscalation") is False, where
            assert context.get("privileged", False) is False, where
            assert "ALL" in context.get("capabilities", {}).get("drop", []), where
            # Tilt's live_update writes into the dev `server` containers; nothing else may.
            writable_ok = (target in DEV_TARGETS and is_labs(workload)
                           and workload["kind"] == "Deployment" and c["name"] == "server")
            if not writable_ok:
                assert context.get("readOnlyRootFilesystem") is True, where
            resources = c.get("resources", {})
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= resources.get(kind, {}).keys(), f"{where}: {kind}"


@pytest.mark.parametrize("target", TARGETS)
def test_labs_pods_get_a_writable_tmp_and_nothing_else(render, target):
    for workload in (w for w in workloads(render(target)) if w["kind"] == "Deployment"):
        volumes = {v["name"]: v for v in pod_spec(workload).get("volumes", [])}
        for c in all_containers(workload):
            mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
            assert "emptyDir" in volumes[mounts["/tmp"]], f"{workload['metadata']['name']}"


@pytest.mark.parametrize("target", PROD_TARGETS)
def test_prod_images_are_pinned_by_tag_never_latest(render, target):
    docs = render(target)
    images = [c["image"] for w in workloads(docs) for c in all_containers(w)]
    images += [d["spec"]["imageName"] for d in docs if d["kind"] == "Cluster"]
    for image in images:
        name, _, digest = image.partition("@")
        tag = name.rsplit("/", 1)[-1].partition(":")[2]
        assert digest or (tag and tag != "latest"), f"{image} is not pinned"


@pytest.mark.parametrize("target", OVERLAYS)
def test_third_party_images_are_pinned_everywhere(render, target):
    for workload in workloads(render(target)):
        for c in all_containers(workload):
            if not c["image"].startswith("labs-"):  # labs-* are built by Tilt or set by prod
                tag = c["image"].rsplit("/", 1)[-1].partition(":")[2]
                assert tag and tag != "latest", c["image"]


@pytest.mark.parametrize("target", (*PROD_TARGETS, "base"))
@pytest.mark.parametrize("name", [*SERVICES, "gateway"])
def test_each_deployment_autoscales_from_two_replicas(render, target, name):
    docs = render(target)
    assert "replicas" not in find(docs, "Deployment", name)["spec"], (
        "an applied `replicas` would reset the autoscaler's count on every apply")
    hpa = find(docs, "HorizontalPodAutoscaler", name)
    assert hpa is not None, f"{name}: no HorizontalPodAutoscaler"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                             "name": name}
    assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"  # against the requests every container declares


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", [*SERVICES, "gateway"])
def test_each_labs_workload_has_its_own_network_policy(render, target, name):
    docs = render(target)
    policy = find(docs, "NetworkPolicy", name)
    assert policy is not None, f"{name}: no NetworkPolicy"
    workload = find(docs, "Deployment", name)
    assert policy["spec"]["podSelector"] == workload["spec"]["selector"]
    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", [*SERVICES, "gateway", "nats"])
def test_each_workload_has_a_disruption_budget_of_one_pod(render, target, name):
    docs = render(target)
    budget = find(docs, "PodDisruptionBudget", name)
    assert budget is not None, f"{name}: no PodDisruptionBudget"
    workload = next(w for w in workloads(docs) if w["metadata"]["name"] == name)
    assert budget["spec"]["selector"] == workload["spec"]["selector"]
    # maxUnavailable, not minAvailable: a workload scaled to one still lets a node drain.
    assert budget["spec"] == {"maxUnavailable": 1, "selector": workload["spec"]["selector"]}


def test_prod_tunes_the_gateway_autoscaler(render):
    hpa = find(render("overlays/prod"), "HorizontalPodAutoscaler", "gateway")
    assert hpa["spec"]["maxReplicas"] >= 10
    # Scaling down closes WebSockets: one pod a minute at most.
    assert hpa["spec"]["behavior"]["scaleDown"]["policies"] == [
        {"type": "Pods", "value": 1, "periodSeconds": 60}]


@pytest.mark.parametrize("target", PROD_TARGETS)
def test_prod_is_highly_available(render, target):
    docs = render(target)
    assert find(docs, "StatefulSet", "nats")["spec"]["replicas"] == 3
    for name in SERVICES:
        cluster = find(docs, "Cluster", f"{name}-db")
        assert cluster is not None, f"{name}: no CloudNativePG cluster"
        assert cluster["spec"]["bootstrap"]["initdb"]["database"] == f"labs_{name}"


@pytest.mark.parametrize("target", DEV_TARGETS)
def test_dev_runs_one_of_everything(render, target):
    docs = render(target)
    assert find(docs, "StatefulSet", "nats")["spec"]["replicas"] == 1
    for name in [*SERVICES, "gateway"]:
        assert find(docs, "Deployment", name)["spec"]["replicas"] == 1
    assert not [d for d in docs if d["kind"] == "HorizontalPodAutoscaler"], (
        "an autoscaler's minimum would override the one replica")


@pytest.mark.parametrize("target", PROD_TARGETS)
def test_prod_lives_in_its_namespace_under_restricted_pod_security(render, target):
    docs = render(target)
    namespaces = {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"}
    assert namespaces == {"labs"}
    labels = find(docs, "Namespace", "labs")["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


@pytest.mark.parametrize("target", TARGETS)
def test_pods_meet_the_restricted_pod_security_standard(render, target):
    """The checks of the `restricted` profile (kubernetes.io/docs/concepts/security/
    pod-security-standards) that the manifests decide, for every pod, in every rendering."""
    for workload in workloads(render(target)):
        name = f"{workload['kind']}/{workload['metadata']['name']}"
        spec = pod_spec(workload)
        for field in ("hostNetwork", "hostPID", "hostIPC"):
            assert not spec.get(field), f"{name}: {field}"
        allowed = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                   "persistentVolumeClaim", "projected", "secret"}
        for volume in spec.get("volumes", []):
            assert set(volume) - {"name"} <= allowed, f"{name}: volume {volume['name']}"
        pod = spec.get("securityContext", {})
        assert pod.get("seccompProfile", {}).get("type") in ("RuntimeDefault", "Localhost"), name
        for c in all_containers(workload):
            where = f"{name}/{c['name']}"
            context = c.get("securityContext", {})
            assert context.get("runAsNonRoot", pod.get("runAsNonRoot")) is True, where
            assert context.get("runAsUser", pod.get("runAsUser")) not in (0, None), where
            assert context.get("allowPrivilegeEscalation") is False, where
            assert context.get("privileged", False) is False, where
            assert context["capabilities"]["drop"] == ["ALL"], where
            assert set(context["capabilities"].get("add", [])) <= {"NET_BIND_SERVICE"}, where
            assert not [p for p in c.get("ports", []) if p.get("hostPort")], where


@pytest.mark.parametrize("target", OVERLAYS)
def test_telemetry_is_silent_unless_an_overlay_turns_it_on(render, target):
    docs = render(target)
    config = find(docs, "ConfigMap", generated_name(docs, "ConfigMap", "labs-env"))
    assert not [k for k in config["data"] if k.startswith("OTEL_")]


def test_the_telemetry_component_sets_the_otlp_endpoint(render):
    docs = render("prod+telemetry")
    config = find(docs, "ConfigMap", generated_name(docs, "ConfigMap", "labs-env"))
    assert config["data"]["OTEL_EXPORTER_OTLP_ENDPOINT"].startswith("http")


# --- Tiltfile ------------------------------------------------------------------------------------

TILTFILE = ROOT / "Tiltfile"
TILT_BUILTINS = ("load", "k8s_yaml", "kustomize", "docker_build_with_restart", "k8s_resource",
                 "fall_back_on", "sync", "run", "link")


def run_tiltfile() -> dict[str, list[tuple[tuple, dict]]]:
    """Execute the Tiltfile (Starlark, here also valid Python) with Tilt's builtins recorded."""
    calls: dict[str, list[tuple[tuple, dict]]] = {name: [] for name in TILT_BUILTINS}

    def recorder(name: str):
        def record(*args, **kwargs):
            calls[name].append((args, kwargs))
            return (name, args, kwargs)
        return record

    namespace = {name: recorder(name) for name in TILT_BUILTINS}
    exec(compile(TILTFILE.read_text(), str(TILTFILE), "exec"), namespace)
    return calls


@pytest.mark.parametrize("name", [*SERVICES, "gateway"])
def test_each_deployable_is_a_tilt_resource(name):
    call = rf"\w+\(\s*['\"]{re.escape(name)}['\"]"
    assert re.search(call, TILTFILE.read_text()), f"{name} is not in the Tiltfile"


def test_tiltfile_deploys_the_dev_overlay_with_a_resource_per_workload(render):
    calls = run_tiltfile()
    assert calls["kustomize"] == [(("deploy/k8s/overlays/dev",), {})]
    resources = {args[0]: kwargs for args, kwargs in calls["k8s_resource"]}
    workloads_ = {w["metadata"]["name"] for w in workloads(render("overlays/dev"))}
    assert set(resources) == workloads_
    assert resources["nats"]["labels"] == resources["postgres"]["labels"] == ["infra"]
    for name in SERVICES:
        assert resources[name]["labels"] == ["services"]
        assert set(resources[name]["resource_deps"]) == {"nats", "postgres"}
    assert resources["gateway"]["labels"] == ["edge"]
    assert "8000:8000" in resources["gateway"]["port_forwards"]


def test_tilt_builds_every_labs_image_from_its_dockerfile_with_live_update(render):
    calls = run_tiltfile()["docker_build_with_restart"]
    builds = {args[0]: (args, kwargs) for args, kwargs in calls}
    images = {c["image"] for w in workloads(render("overlays/dev")) for c in all_containers(w)}
    assert {i for i in images if i.startswith("labs-")} == set(builds)
    for image, ((_, context), kwargs) in builds.items():
        assert context == "."
        # One Dockerfile for every image; the build args name the deployable.
        assert kwargs["dockerfile"] == "Dockerfile"
        dockerfile = (ROOT / kwargs["dockerfile"]).read_text()
        assert re.search(rf"^FROM \S+ AS {kwargs['target']}$", dockerfile, re.MULTILINE)
        name = image.removeprefix("labs-")
        folder = "gateway" if name == "gateway" else f"services/{name}"
        port = GATEWAY_PORT if name == "gateway" else PORT_BASE + SERVICE_PORT_OFFSETS[name]
        assert kwargs["build_args"] == {"SERVICE": name, "FOLDER": folder, "PORT": str(port)}
        assert folder in kwargs["only"], f"{image}: its own folder is not in the context"
        # Tilt's restart wrapper needs the entrypoint spelled out: the image's own command, which
        # runs `python -m $APP_MODULE` (test_dockerfiles.py resolves it for every image).
        assert json_list(dockerfile, "ENTRYPOINT")[:3] == [
            "/bin/sh", "-c", 'exec python -m "$APP_MODULE" "$@"']
        assert re.search(r"^\s+APP_MODULE=labs_\$\{SERVICE\}$", dockerfile, re.MULTILINE)
        assert kwargs["entrypoint"] == ["python", "-m", f"labs_{name}"]
        for path in kwargs["only"]:
            assert (ROOT / path).exists(), f"{image}: only= names a missing {path}"
        steps = kwargs["live_update"]
        kinds = [step[0] for step in steps]
        assert kinds[0] == "fall_back_on" and set(kinds[1:]) == {"sync"}, "fall back, then sync"
        fall_back = steps[0][1][0]
        assert {"uv.lock", "protos"} <= set(fall_back)
        assert any(p.endswith("/pyproject.toml") for p in fall_back)
        for _, (local, remote), _ in steps[1:]:
            assert (ROOT / local).is_dir(), f"{image}: syncs a missing {local}"
            # Into the image's virtualenv, whose Python is the one of the Dockerfile's base image.
            assert remote.startswith("/app/.venv/lib/python3.11/site-packages/")
            assert remote.rsplit("/", 1)[1] == local.rsplit("/", 1)[1]
        assert "FROM python:3.11-slim" in dockerfile


def json_list(dockerfile: str, keyword: str) -> list[str]:
    (value,) = re.findall(rf"^{keyword} (\[.*\])$", dockerfile, re.MULTILINE)
    return json.loads(value)


def test_tilt_live_update_never_installs_packages():
    assert not run_tiltfile()["run"], "no run() steps: installing inside a running pod drifts"
    assert not re.search(r"(pip|uv) (install|sync|add)", TILTFILE.read_text())
