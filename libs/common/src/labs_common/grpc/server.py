"""A grpc.aio server with the platform's interceptors, health checking and reflection.

Health is real: a monitor asks the database and NATS every few seconds and flips every service
name between SERVING and NOT_SERVING, which is what Kubernetes probes and the gateway read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import grpc
import structlog
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from labs_common.auth.tokens import TokenVerifier
from labs_common.grpc.interceptors import AuthInterceptor, ErrorInterceptor, LoggingInterceptor

log = structlog.get_logger(__name__)

HealthCheck = Callable[[], Awaitable[None]]
# A health name that is SERVING from start-up until shutdown, whatever the dependencies say:
# Kubernetes liveness probes ask for it, so a database outage makes pods unready, not restarted.
LIVENESS = "liveness"


@dataclass(frozen=True)
class ServiceRegistration:
    """One gRPC service to serve: its full name, servicer and generated `add_..._to_server`."""

    name: str
    servicer: object
    add_to_server: Callable[[object, grpc.aio.Server], None]
    # Full method names ("/pkg.Service/Method") callable without a token.
    public_methods: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls, pb2_module, pb2_grpc_module, servicer: object, public: Iterable[str] = ()
    ) -> ServiceRegistration:
        """The registration of the one service a generated module pair defines; `public` names
        its methods that need no token, e.g. ("GetJwks",)."""
        (service,) = pb2_module.DESCRIPTOR.services_by_name.values()
        return cls(
            name=service.full_name,
            servicer=servicer,
            add_to_server=getattr(pb2_grpc_module, f"add_{service.name}Servicer_to_server"),
            public_methods=frozenset(f"/{service.full_name}/{method}" for method in public),
        )


# Connections end after a few minutes (in-flight calls get a grace), so clients resolve the
# name again and spread onto replicas the autoscaler added since (round_robin only balances over
# the addresses it knows); clients' keepalive pings during calls are welcome.
SERVER_OPTIONS = [
    ("grpc.so_reuseport", 0),
    ("grpc.max_receive_message_length", 16 * 1024 * 1024),
    ("grpc.max_connection_age_ms", 5 * 60_000),
    ("grpc.max_connection_age_grace_ms", 30_000),
    ("grpc.http2.min_recv_ping_interval_without_data_ms", 10_000),
]


def _tracing_interceptors(tracing: bool) -> list[grpc.aio.ServerInterceptor]:
    if not tracing:
        return []
    # Imported only when tracing: the instrumentation costs every process ~0.1 s and a few MiB.
    from opentelemetry.instrumentation.grpc import aio_server_interceptor

    return [aio_server_interceptor()]


def build_server(
    registrations: Iterable[ServiceRegistration],
    verifier: TokenVerifier,
    bind: str,
    *,
    tracing: bool = True,
) -> tuple[grpc.aio.Server, health.aio.HealthServicer, list[str]]:
    """`tracing`: a span per call (BaseLabsSettings.tracing_enabled)."""
    registrations = list(registrations)
    public = frozenset().union(*(r.public_methods for r in registrations))
    server = grpc.aio.server(
        interceptors=[
            *_tracing_interceptors(tracing),
            LoggingInterceptor(),
            ErrorInterceptor(),
            AuthInterceptor(verifier, public),
        ],
        options=SERVER_OPTIONS,
    )
    for registration in registrations:
        registration.add_to_server(registration.servicer, server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [r.name for r in registrations]
    reflection.enable_server_reflection(
        [
            *names,
            health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
            reflection.SERVICE_NAME,
        ],
        server,
    )
    if server.add_insecure_port(bind) == 0:
        raise OSError(f"cannot bind gRPC server to {bind}")
    return server, health_servicer, names


async def monitor_health(
    health_servicer: health.aio.HealthServicer,
    names: list[str],
    checks: dict[str, HealthCheck],
    interval: float = 5.0,
) -> None:
    """Keep the health status true to the dependencies; runs until cancelled."""
    await health_servicer.set(LIVENESS, health_pb2.HealthCheckResponse.SERVING)
    serving: bool | None = None
    while True:
        failed = []
        for dependency, check in checks.items():
            try:
                await asyncio.wait_for(check(), timeout=interval)
            except Exception as error:
                failed.append(f"{dependency}: {error}")
        now_serving = not failed
        if now_serving != serving:
            status = (
                health_pb2.HealthCheckResponse.SERVING
                if now_serving
                else health_pb2.HealthCheckResponse.NOT_SERVING
            )
            for name in ["", *names]:
                await health_servicer.set(name, status)
            log.info("health.changed", serving=now_serving, failed=failed)
            serving = now_serving
        await asyncio.sleep(interval)
