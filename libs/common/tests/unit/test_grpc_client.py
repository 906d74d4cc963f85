"""Retry-safety comes from the protos' `option idempotency_level`, not from lists in callers."""

from __future__ import annotations

import json

from labs_common.grpc.client import (
    channel_options,
    channel_target,
    declared_deadlines,
    idempotent_methods,
    service_config,
)


def test_reads_and_effect_free_exchanges_are_retried():
    identity = idempotent_methods("labs.identity.v1.IdentityService")
    assert {"GetMe", "GetJwks", "ListMembers", "GetMember", "AuthenticateApiKey"} <= set(identity)
    assert "GetProject" in idempotent_methods("labs.projects.v1.ProjectsService")
    assert "GetRates" in idempotent_methods("labs.capacity.v1.CapacityService")
    assert "ListTimeEntries" in idempotent_methods("labs.time.v1.TimeService")


def test_writes_are_never_retried():
    writes = {"Signup", "Login", "RefreshSession", "CreateApiKey", "RevokeApiKey"}
    assert not writes & set(idempotent_methods("labs.identity.v1.IdentityService"))
    time_methods = set(idempotent_methods("labs.time.v1.TimeService"))
    assert not {"CreateTimeEntry", "AppendImportChunk", "ReserveEntries"} & time_methods


def test_only_the_declared_methods_get_a_retry_policy():
    service = "labs.time.v1.TimeService"
    config = json.loads(service_config(service, idempotent_methods(service), 5.0))
    retried, default = config["methodConfig"]
    assert {n["method"] for n in retried["name"]} == set(idempotent_methods(service))
    assert retried["retryPolicy"]["retryableStatusCodes"] == ["UNAVAILABLE"]
    assert default == {"name": [{"service": service}], "timeout": "5.0s"}


def test_a_method_whose_work_grows_with_its_data_waits_as_long_as_its_proto_says():
    # An invoice from a large team's month moves thousands of entries: 5 s cut it off (504). A
    # process's first PDF imports WeasyPrint: seconds on a busy machine, once past 5 s (504).
    assert declared_deadlines("labs.billing.v1.BillingService") == {
        "GenerateInvoice": 30.0, "RenderInvoicePdf": 30.0}
    assert declared_deadlines("labs.forecasting.v1.ForecastingService") == {"RenderReport": 30.0}
    time_service = "labs.time.v1.TimeService"
    assert declared_deadlines(time_service) == {
        "ReserveEntries": 30.0, "MarkEntriesInvoiced": 30.0, "ReleaseEntries": 30.0,
        "SyncExternalEntries": 30.0}
    config = json.loads(dict(channel_options(time_service, 5.0))["grpc.service_config"])
    timeouts = {n.get("method"): entry["timeout"] for entry in config["methodConfig"]
                for n in entry["name"]}
    assert timeouts["ReserveEntries"] == "30.0s" and timeouts[None] == "5.0s"
    assert timeouts["ListTimeEntries"] == "5.0s"
    # Still a write: a long deadline is no licence to retry it.
    reserve = next(e for e in config["methodConfig"]
                   if {"service": time_service, "method": "ReserveEntries"} in e["name"])
    assert "retryPolicy" not in reserve
    # A caller that already waits longer for everything is not cut shorter.
    longer = json.loads(service_config(time_service, [], 120.0, declared_deadlines(time_service)))
    assert [entry["timeout"] for entry in longer["methodConfig"]] == ["120.0s"]


# --- spreading calls over a service's replicas ------------------------------------------------

def test_calls_are_balanced_round_robin_over_every_resolved_address():
    config = json.loads(service_config("labs.time.v1.TimeService", [], 5.0))
    # Without it gRPC's default, pick_first, sends every call of a channel to one replica.
    assert config["loadBalancingConfig"] == [{"round_robin": {}}]
    options = dict(channel_options("labs.time.v1.TimeService", 5.0))
    assert json.loads(options["grpc.service_config"])["loadBalancingConfig"] == [
        {"round_robin": {}}]


def test_a_restarted_replica_is_reached_again_within_the_retry_budget():
    # round_robin reconnects on a backoff that by default grows to 2 minutes and fails calls
    # fast meanwhile: a service killed and back in seconds answered 503 through the gateway.
    options = dict(channel_options("labs.time.v1.TimeService", 5.0))
    retry = json.loads(service_config("labs.time.v1.TimeService", ["Get"], 5.0))[
        "methodConfig"][0]["retryPolicy"]
    budget_ms = 1_000 * float(retry["maxBackoff"].removesuffix("s")) * (retry["maxAttempts"] - 1)
    assert options["grpc.max_reconnect_backoff_ms"] <= budget_ms


def test_service_names_resolve_through_dns_and_local_addresses_stay_as_they_are():
    # Kubernetes: a headless Service's name answers one address per ready pod.
    assert channel_target("time:50053") == "dns:///time:50053"
    assert channel_target("time.labs.svc.cluster.local:50053") == (
        "dns:///time.labs.svc.cluster.local:50053")
    # Local development: the default addresses are loopback IPs, which need no resolver.
    assert channel_target("127.0.0.1:50053") == "127.0.0.1:50053"
    assert channel_target("[::1]:50053") == "[::1]:50053"
    # A target that names its scheme is the caller's choice.
    assert channel_target("dns:///time:50053") == "dns:///time:50053"
    assert channel_target("ipv4:10.0.0.1:50053,10.0.0.2:50053") == (
        "ipv4:10.0.0.1:50053,10.0.0.2:50053")
    assert channel_target("unix:///tmp/time.sock") == "unix:///tmp/time.sock"


async def test_a_channel_spreads_its_calls_over_the_replicas(monkeypatch):
    """Two loopback servers behind one target (as a headless Service's two pods): the channel's
    options send calls to both, where pick_first would send them all to the first."""
    import asyncio

    import grpc

    from labs_common.config import BaseLabsSettings
    from labs_common.grpc.client import open_channel

    def replica(name: bytes) -> grpc.GenericRpcHandler:
        async def who(_request: bytes, _context) -> bytes:
            return name

        return grpc.method_handlers_generic_handler(
            "labs.time.v1.TimeService", {"Who": grpc.unary_unary_rpc_method_handler(who)})

    servers, ports = [], []
    for name in (b"replica-0", b"replica-1"):
        # No SO_REUSEPORT: port 0 could then share a port another process's server holds.
        server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
        server.add_generic_rpc_handlers([replica(name)])
        ports.append(server.add_insecure_port("127.0.0.1:0"))
        await server.start()
        servers.append(server)
    monkeypatch.setenv("LABS_TIME_ADDR", "ipv4:" + ",".join(f"127.0.0.1:{p}" for p in ports))
    channel = open_channel(BaseLabsSettings(), "time", "labs.time.v1.TimeService")
    who = channel.unary_unary("/labs.time.v1.TimeService/Who")
    answered: set[bytes] = set()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    try:
        # round_robin picks among the connected replicas, and the second may connect a little
        # after the first calls: keep calling a while (pick_first would never reach it).
        while len(answered) < 2 and loop.time() < deadline:
            answered.add(await who(b""))
    finally:
        await channel.close()
        for server in servers:
            await server.stop(None)
    assert answered == {b"replica-0", b"replica-1"}
