"""What the manifests do for faults and abuse (issue 15): pods drain before they stop, gRPC calls
spread over every replica, projects' files live in object storage, the databases replicate
synchronously and are backed up, and each process reaches NATS as its own user with only its own
subjects (the NATS side of this is test_nats_accounts.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from labs_common.config import SERVICE_PORT_OFFSETS, BaseLabsSettings, ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
SERVICES = sorted(p.parent.name for p in (ROOT / "services").glob("*/pyproject.toml"))
TARGETS = ("base", "overlays/dev", "overlays/prod", "prod+telemetry")
PROD_TARGETS = ("overlays/prod", "prod+telemetry")
PORT_BASE = BaseLabsSettings.model_fields["port_base"].default
SHUTDOWN_GRACE = ServiceSettings.model_fields["shutdown_grace_seconds"].default


def find(docs: list[dict], kind: str, name: str) -> dict | None:
    return next((d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name), None)


def of_kind(docs: list[dict], kind: str) -> list[dict]:
    return [d for d in docs if d["kind"] == kind]


def server(deployment: dict) -> dict:
    return next(c for c in deployment["spec"]["template"]["spec"]["containers"]
                if c["name"] == "server")


def generated(docs: list[dict], kind: str, name: str) -> dict:
    pattern = re.compile(rf"{re.escape(name)}(-[a-z0-9]{{10}})?")
    return next(d for d in docs if d["kind"] == kind and pattern.fullmatch(d["metadata"]["name"]))


def labs_deployments(docs: list[dict]) -> list[dict]:
    return [d for d in of_kind(docs, "Deployment")
            if d["metadata"]["labels"].get("app.kubernetes.io/part-of") == "labs"]


# --- preStop: endpoints drain before SIGTERM -----------------------------------------------------

@pytest.mark.parametrize("target", TARGETS)
def test_every_deployment_keeps_serving_while_its_endpoints_drain(render, target):
    deployments = labs_deployments(render(target))
    assert {d["metadata"]["name"] for d in deployments} == {*SERVICES, "gateway"}
    for deployment in deployments:
        name = deployment["metadata"]["name"]
        pre_stop = server(deployment).get("lifecycle", {}).get("preStop", {})
        # exec of the image's own sleep (python:3.11-slim has /bin/sleep), or the kubelet's.
        if "sleep" in pre_stop:
            delay = int(pre_stop["sleep"]["seconds"])
        else:
            command = pre_stop.get("exec", {}).get("command", [])
            assert command[:1] == ["sleep"] and len(command) == 2, f"{name}: no preStop delay"
            delay = int(command[1])
        assert delay >= 5, f"{name}: a {delay} s delay is shorter than endpoints take to update"
        # The grace period covers the delay, then the shutdown grace, with room to drain.
        grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
        assert grace >= delay + SHUTDOWN_GRACE + 10, f"{name}: {grace} s grace period"


def test_the_images_have_the_sleep_the_pre_stop_runs():
    runtime = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim AS base$", runtime, re.M), (
        "the preStop runs /bin/sleep from a Debian-based image: check the new base has one")


# --- projects' files: object storage in production -----------------------------------------------

def container_env(docs: list[dict], c: dict) -> dict[str, object]:
    env: dict[str, object] = {}
    for source in c.get("envFrom", []):
        if ref := source.get("configMapRef"):
            env.update(find(docs, "ConfigMap", ref["name"]).get("data", {}))
    for variable in c.get("env", []):
        env[variable["name"]] = variable.get("value", variable.get("valueFrom"))
    return env


@pytest.mark.parametrize("target", PROD_TARGETS)
def test_projects_keeps_files_in_object_storage_in_production(render, target):
    from labs_projects.config import Settings

    docs = render(target)
    env = container_env(docs, server(find(docs, "Deployment", "projects")))
    prefix = Settings.model_config["env_prefix"]
    names = {f"{prefix}{field}".upper() for field in Settings.model_fields}
    # Bucket, region and endpoint are settings (projects-env), the keys come from a Secret.
    for variable in ("S3_BUCKET", "S3_REGION", "S3_ENDPOINT_URL"):
        assert f"{prefix}{variable}" in names
        assert isinstance(env.get(f"{prefix}{variable}"), str) and env[f"{prefix}{variable}"]
    assert env[f"{prefix}S3_ENDPOINT_URL"].startswith("https://")
    for variable, key in (("S3_ACCESS_KEY_ID", "access-key-id"),
                          ("S3_SECRET_ACCESS_KEY", "secret-access-key")):
        assert f"{prefix}{variable}" in names
        assert env[f"{prefix}{variable}"] == {"secretKeyRef": {"name": "projects-s3", "key": key}}
    assert "projects-s3" in (K8S / "README.md").read_text(), "the operator's Secret is documented"
    # Nothing of the settings points the files at a local directory instead.
    assert f"{prefix}OBJECT_STORAGE_DIR" not in env
    config = generated(docs, "ConfigMap", "projects-env")
    assert config["data"][f"{prefix}S3_BUCKET"]



# --- gRPC: every replica takes calls -------------------------------------------------------------

@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", SERVICES)
def test_each_grpc_service_name_resolves_to_every_ready_pod(render, target, name):
    from labs_common.grpc.client import channel_target, service_config

    docs = render(target)
    service = find(docs, "Service", name)
    assert service["spec"].get("clusterIP") == "None", f"{name}: a virtual IP pins each channel"
    assert not service["spec"].get("publishNotReadyAddresses"), f"{name}: unready pods get calls"
    assert [p["port"] for p in service["spec"]["ports"]] == [PORT_BASE + SERVICE_PORT_OFFSETS[name]]
    # What the callers dial: the name in labs-env, through the DNS resolver, round robin.
    labs_env = generated(docs, "ConfigMap", "labs-env")["data"]
    address = labs_env[f"LABS_{name.upper()}_ADDR"]
    assert address == f"{name}:{PORT_BASE + SERVICE_PORT_OFFSETS[name]}"
    assert channel_target(address) == f"dns:///{address}"
    assert '"round_robin"' in service_config(f"labs.{name}.v1.X", [], 1.0)


# --- databases: synchronous standbys, WAL archive, nightly base backups --------------------------

BARMAN = "barman-cloud.cloudnative-pg.io"


@pytest.mark.parametrize("target", PROD_TARGETS)
@pytest.mark.parametrize("name", SERVICES)
def test_each_database_commits_on_two_instances_and_is_backed_up(render, target, name):
    docs = render(target)
    cluster = find(docs, "Cluster", f"{name}-db")
    spec = cluster["spec"]
    # A primary and two standbys; a commit waits for one standby (quorum), and with none left it
    # waits rather than succeed on the primary alone.
    assert spec["instances"] == 3
    synchronous = spec["postgresql"]["synchronous"]
    assert synchronous["method"] in ("any", "first") and synchronous["number"] == 1
    assert synchronous.get("dataDurability", "required") == "required"
    # WAL is archived to object storage by the Barman Cloud plugin.
    (plugin,) = [p for p in spec.get("plugins", []) if p["name"] == BARMAN]
    assert plugin["isWALArchiver"] is True and plugin.get("enabled", True)
    store = find(docs, "ObjectStore", plugin["parameters"]["barmanObjectName"])
    assert store is not None, f"{name}: no ObjectStore {plugin['parameters']['barmanObjectName']}"
    configuration = store["spec"]["configuration"]
    assert re.fullmatch(r"s3://[a-z0-9.-]+/.*", configuration["destinationPath"])
    # One folder per cluster: the server name is the cluster's, unless set to something else.
    assert configuration.get("serverName", cluster["metadata"]["name"]) == f"{name}-db"
    assert re.fullmatch(r"[1-9][0-9]*[dwm]", store["spec"]["retentionPolicy"])
    credentials = configuration["s3Credentials"]
    assert {credentials[k]["name"] for k in ("accessKeyId", "secretAccessKey")} == {"db-backups-s3"}
    assert "db-backups-s3" in (K8S / "README.md").read_text(), "the operator's Secret is documented"
    # A base backup on a schedule, by the same plugin, owned by the ScheduledBackup.
    (backup,) = [b for b in of_kind(docs, "ScheduledBackup")
                 if b["spec"]["cluster"]["name"] == f"{name}-db"]
    assert backup["spec"]["method"] == "plugin"
    assert backup["spec"]["pluginConfiguration"]["name"] == BARMAN
    fields = backup["spec"]["schedule"].split()
    assert len(fields) == 6, "CloudNativePG schedules have six fields, seconds first"
    assert all(f.isdigit() for f in fields[:3]) and fields[3:] == ["*", "*", "*"], "not daily"
    assert backup["spec"].get("suspend") is not True


@pytest.mark.parametrize("target", PROD_TARGETS)
def test_the_database_objects_are_valid_against_their_crds(render, target):
    """validate.py (make lint) checks them against the vendored CRD schemas; here the same check
    must also refuse what the CRDs do not declare, so a misspelt field cannot pass."""
    import sys

    import yaml

    sys.path.insert(0, str(K8S))
    try:
        import validate
    finally:
        sys.path.remove(str(K8S))
    docs = [d for d in render(target) if d["kind"] in ("Cluster", "ObjectStore", "ScheduledBackup")]
    assert len(docs) == 3 * len(SERVICES)
    errors, _, custom = validate.errors_in(target, yaml.safe_dump_all(docs))
    assert not errors and custom == len(docs)
    wrong = [{**docs[0], "spec": {**docs[0]["spec"], "minSyncReplica": 1}}]
    assert validate.errors_in(target, yaml.safe_dump_all(wrong))[0]


def test_the_database_instances_reach_object_storage(render):
    import ipaddress

    store = ipaddress.ip_address("52.219.170.1")  # an S3 address: public, on 443
    docs = render("overlays/prod")
    for name in SERVICES:
        policy = find(docs, "NetworkPolicy", f"{name}-db")
        assert any(
            any(port.get("port") == 443 for port in rule.get("ports", []))
            and any("ipBlock" in peer
                    and store in ipaddress.ip_network(peer["ipBlock"]["cidr"])
                    and not any(store in ipaddress.ip_network(c)
                                for c in peer["ipBlock"].get("except", []))
                    for peer in rule.get("to", []))
            for rule in policy["spec"]["egress"]), f"{name}-db cannot reach its object storage"
