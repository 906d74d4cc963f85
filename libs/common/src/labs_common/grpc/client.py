"""Channels to other services: a deadline on every call (longer where the proto declares one),
retries only where the proto declares a method safe to repeat, and the caller's access token
forwarded so the callee verifies the same principal (zero trust)."""

from __future__ import annotations

import importlib
import ipaddress
import json
from collections.abc import Iterable, Mapping, Sequence

import grpc
from google.protobuf import descriptor_pool
from google.protobuf.descriptor import ServiceDescriptor
from google.protobuf.descriptor_pb2 import MethodOptions

from labs.options.v1 import calls_pb2
from labs_common.auth.principal import optional_principal
from labs_common.config import BaseLabsSettings

# `option idempotency_level` values that make a call safe to send again after UNAVAILABLE.
RETRY_SAFE = {MethodOptions.NO_SIDE_EFFECTS, MethodOptions.IDEMPOTENT}


class _ForwardToken(grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(self, continuation, client_call_details, request):
        principal = optional_principal()
        metadata = grpc.aio.Metadata(*(client_call_details.metadata or ()))
        if principal is not None and "authorization" not in metadata:
            metadata.add("authorization", f"Bearer {principal.token}")
        details = client_call_details._replace(metadata=metadata)
        return await continuation(details, request)


def service_descriptor(grpc_service: str) -> ServiceDescriptor:
    """The descriptor of `labs.<name>.v1.<Name>Service`, importing its generated module when
    nothing has yet (protos/labs/<name>/v1/<name>_service.proto, as the style guide lays out)."""
    pool = descriptor_pool.Default()
    try:
        return pool.FindServiceByName(grpc_service)
    except KeyError:
        package = grpc_service.rpartition(".")[0]
        importlib.import_module(f"{package}.{package.split('.')[1]}_service_pb2")
        return pool.FindServiceByName(grpc_service)


def idempotent_methods(grpc_service: str) -> list[str]:
    """The methods of `grpc_service` whose proto says `idempotency_level` NO_SIDE_EFFECTS or
    IDEMPOTENT; every other method is a write and is never retried."""
    return [
        method.name
        for method in service_descriptor(grpc_service).methods
        if method.GetOptions().idempotency_level in RETRY_SAFE
    ]


def declared_deadlines(grpc_service: str) -> dict[str, float]:
    """Seconds by method, for the methods of `grpc_service` whose proto declares
    `option (labs.options.v1.deadline_seconds)`."""
    deadlines = {}
    for method in service_descriptor(grpc_service).methods:
        if seconds := method.GetOptions().Extensions[calls_pb2.deadline_seconds]:
            deadlines[method.name] = float(seconds)
    return deadlines


# The idempotent methods': transparent retries with backoff on UNAVAILABLE.
RETRY_POLICY = {
    "maxAttempts": 4,
    "initialBackoff": "0.1s",
    "maxBackoff": "1s",
    "backoffMultiplier": 2,
    "retryableStatusCodes": ["UNAVAILABLE"],
}
# Bounded so that the retry policy (4 attempts, up to 1 s apart) outlasts one wait.
MAX_RECONNECT_BACKOFF_MS = 1_000


def channel_target(address: str) -> str:
    """The target of a channel to `address` (`host:port`, as LABS_<SERVICE>_ADDR gives it): the
    DNS resolver spelled out, `dns:///host:port`, which hands the channel every address of the
    name (a headless Service answers one per ready pod) for the round_robin policy to spread calls
    over. IP literals (127.0.0.1 locally) and targets that already name a scheme are kept."""
    if "://" in address or address.startswith(("dns:", "ipv4:", "ipv6:", "unix:")):
        return address
    host = address.rpartition(":")[0] or address
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return f"dns:///{address}"
    return address


def service_config(service: str, idempotent_methods: Iterable[str], timeout: float,
                   deadlines: Mapping[str, float] | None = None) -> str:
    """gRPC service config: calls balanced round robin over every address the target resolves to
    (the default, pick_first, sends all of a channel's calls to one replica), a deadline for
    every method of `service` (`timeout`, or the longer one `deadlines` declares for a method),
    and transparent retries with backoff on UNAVAILABLE for the idempotent ones."""
    retried = set(idempotent_methods)
    longer = {m: s for m, s in (deadlines or {}).items() if s > timeout}
    groups: dict[tuple[float, bool], list[str]] = {}
    for method in sorted(retried | longer.keys()):
        groups.setdefault((longer.get(method, timeout), method in retried), []).append(method)
    config: dict = {"loadBalancingConfig": [{"round_robin": {}}], "methodConfig": []}
    for (seconds, retry), methods in groups.items():
        entry: dict = {"name": [{"service": service, "method": m} for m in methods],
                       "timeout": f"{seconds}s"}
        if retry:
            entry["retryPolicy"] = RETRY_POLICY
        config["methodConfig"].append(entry)
    config["methodConfig"].append({"name": [{"service": service}], "timeout": f"{timeout}s"})
    return json.dumps(config)


def open_channel(
    settings: BaseLabsSettings,
    target_service: str,
    grpc_service: str,
    *,
    interceptors: Sequence[grpc.aio.ClientInterceptor] = (),
) -> grpc.aio.Channel:
    """A channel to `target_service` (its address from settings) for the gRPC `grpc_service`.

    Which methods are retried comes from the protos (`option idempotency_level`). `interceptors`
    run after the token forwarding, closest to the wire."""
    return grpc.aio.insecure_channel(
        channel_target(settings.addr_of(target_service)),
        options=channel_options(grpc_service, settings.grpc_client_timeout),
        interceptors=[*_tracing_interceptors(settings), _ForwardToken(), *interceptors],
    )


def _tracing_interceptors(settings: BaseLabsSettings) -> list[grpc.aio.ClientInterceptor]:
    if not settings.tracing_enabled:
        return []
    # Imported only when tracing: the instrumentation costs every process ~0.1 s and a few MiB.
    from opentelemetry.instrumentation.grpc import aio_client_interceptors

    return aio_client_interceptors()


def channel_options(grpc_service: str, timeout: float) -> list[tuple[str, object]]:
    """The options of every channel to `grpc_service`: its service config (round robin,
    deadlines, retries), and keepalive pings, so a replica gone without a word is noticed and
    the name resolved again (a replica added later is found when the servers' connection age
    ends their connections, or when a connection drops)."""
    return [
        (
            "grpc.service_config",
            service_config(grpc_service, idempotent_methods(grpc_service), timeout,
                           declared_deadlines(grpc_service)),
        ),
        ("grpc.enable_retries", 1),
        ("grpc.keepalive_time_ms", 30_000),
        # round_robin keeps reconnecting a lost replica on its own schedule and fails calls
        # fast meanwhile (pick_first would wait for the next call): by default that schedule
        # grows to 2 minutes, so a service restarted in seconds stayed unreachable for longer.
        ("grpc.initial_reconnect_backoff_ms", 100),
        ("grpc.min_reconnect_backoff_ms", 100),
        ("grpc.max_reconnect_backoff_ms", MAX_RECONNECT_BACKOFF_MS),
    ]
