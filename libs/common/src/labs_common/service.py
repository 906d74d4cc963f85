"""The composition root every service shares: settings → logging/telemetry → database (created and
migrated) → gRPC server with health and reflection → pruner; and, once NATS answers, its stream →
outbox relay and consumers.

Readiness follows the database only: without NATS a service still serves (what it has to announce
waits in its outbox), and one started during a NATS outage connects when NATS is back.

On SIGTERM: NOT_SERVING, stop accepting with a grace period, drain NATS, dispose the engine.
"""

from __future__ import annotations

import asyncio
import gc
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import grpc
import structlog
from nats.aio.client import Client as Nats
from nats.js import JetStreamContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from labs.identity.v1 import identity_service_pb2, identity_service_pb2_grpc
from labs_common.auth.revocations import RevokedSessions, SessionRevocationFeed
from labs_common.auth.tokens import TokenVerifier
from labs_common.config import ServiceSettings
from labs_common.db import migrations
from labs_common.db.engine import app_role, create_engine, sessionmaker
from labs_common.db.uow import Scope, UnitOfWork
from labs_common.events.connection import connect_in_background
from labs_common.events.consumer import EventConsumer, Subscription
from labs_common.events.relay import OutboxRelay
from labs_common.events.streams import ensure_stream
from labs_common.grpc.client import open_channel
from labs_common.grpc.server import ServiceRegistration, build_server, monitor_health
from labs_common.heap import release_free_heap
from labs_common.logs import configure_logging
from labs_common.pruning import pruner
from labs_common.telemetry import configure_telemetry
from labs_common.transient import is_transient

log = structlog.get_logger(__name__)

# How long start() lets NATS answer before serving without it (normally it takes milliseconds,
# and what starts right after, such as a test publishing, then finds it connected).
NATS_HEAD_START_SECONDS = 2.0

T = TypeVar("T")


@dataclass
class Runtime:
    """What a running service holds; handed to the service's own wiring functions."""

    settings: ServiceSettings
    engine: AsyncEngine
    sessions: async_sessionmaker
    js: JetStreamContext
    uow_class: type[UnitOfWork]
    extras: dict[str, object] = field(default_factory=dict)
    # Sessions identity ended early: every verifier of this process refuses their tokens.
    revoked_sessions: RevokedSessions = field(default_factory=RevokedSessions)

    def uow(self, scope: Scope) -> UnitOfWork:
        return self.uow_class(self.sessions, self.settings.service_name, scope)

    def shared(self, key: str, make: Callable[[], T]) -> T:
        """The process's one `key`, made on first use: the wiring functions that each need it
        (registrations, subscriptions, background work) get the same object, and it is closed
        with the other extras when the service stops."""
        if key not in self.extras:
            self.extras[key] = make()
        return self.extras[key]  # type: ignore[return-value]

    def channel(self, service: str) -> grpc.aio.Channel:
        """The channel to `service` (its API labs.<service>.v1.<Service>Service), opened on first
        use and shared by whatever asks it here."""
        return self.shared(f"{service}_channel", lambda: open_channel(
            self.settings, service, f"labs.{service}.v1.{service.capitalize()}Service"))


@dataclass(frozen=True)
class ServiceDefinition:
    settings_class: type[ServiceSettings]
    registrations: Callable[[Runtime], Sequence[ServiceRegistration]]
    # By default the package's `migrations` folder (beside the module of settings_class).
    migrations: Path = None  # type: ignore[assignment]
    uow_class: type[UnitOfWork] = UnitOfWork
    subscriptions: Callable[[Runtime], Sequence[Subscription]] = lambda _runtime: ()
    # Identity verifies tokens with its own keys; everyone else asks identity for its JWKS.
    verifier: Callable[[Runtime], TokenVerifier] | None = None
    # Runs once the database and NATS are ready, before the server accepts calls.
    on_start: Callable[[Runtime], Awaitable[None]] | None = None

    def __post_init__(self) -> None:
        if self.migrations is None:
            package = Path(sys.modules[self.settings_class.__module__].__file__).parent
            object.__setattr__(self, "migrations", package / "migrations")


def boot_only(settings_class: type[ServiceSettings], pb2_module, pb2_grpc_module):
    """The definition of a service whose API is declared but not built yet: it starts, migrates,
    reports healthy and answers UNIMPLEMENTED to every RPC (the generated servicer base)."""
    (service,) = pb2_module.DESCRIPTOR.services_by_name.values()
    servicer = getattr(pb2_grpc_module, f"{service.name}Servicer")

    def registrations(_runtime: Runtime) -> list[ServiceRegistration]:
        return [ServiceRegistration.of(pb2_module, pb2_grpc_module, servicer())]

    return ServiceDefinition(settings_class=settings_class, registrations=registrations)


def identity_verifier(runtime: Runtime) -> TokenVerifier:
    stub = identity_service_pb2_grpc.IdentityServiceStub(runtime.channel("identity"))

    async def fetch() -> list[dict]:
        response = await stub.GetJwks(identity_service_pb2.GetJwksRequest())
        return [
            {"kid": k.kid, "kty": k.kty, "crv": k.crv, "x": k.x, "alg": k.alg, "use": k.use}
            for k in response.keys
        ]

    return TokenVerifier(fetch, runtime.settings.jwt_issuer, runtime.settings.jwt_audience,
                         revoked=runtime.revoked_sessions)


class RunningService:
    """A started service: its server, background loops and connections. `stop()` drains them."""

    def __init__(self, runtime: Runtime, server, health, background,
                 nats_connection: Nats) -> None:
        self.runtime = runtime
        self.server = server
        self._health = health
        self.background = background
        self._nats = nats_connection

    @property
    def address(self) -> str:
        settings = self.runtime.settings
        return f"{settings.grpc_host}:{settings.grpc_port}"

    async def stop(self) -> None:
        log.info("service.stopping")
        await self._health.enter_graceful_shutdown()
        await self.server.stop(self.runtime.settings.shutdown_grace_seconds)
        for task in self.background:
            task.cancel()
        # Every step below waits on something outside this process (a loop cancelled inside a
        # database call, another service, NATS): each gets a deadline so SIGTERM always ends.
        await _within(asyncio.gather(*self.background, return_exceptions=True), "background")
        for channel in (c for c in self.runtime.extras.values() if hasattr(c, "close")):
            await _within(channel.close(), "channel")
        if self._nats.is_connected:
            await _within(self._nats.drain(), "nats")
        else:  # never connected, or reconnecting: nothing to drain
            await _within(self._nats.close(), "nats")
        await _within(self.runtime.engine.dispose(), "database")
        log.info("service.stopped")


async def _within(step: Awaitable, what: str, seconds: float = 3.0) -> None:
    try:
        await asyncio.wait_for(step, timeout=seconds)
    except Exception as error:  # stopping goes on whatever one step did
        log.warning("service.stop_step_abandoned", step=what, error=repr(error))


async def start(definition: ServiceDefinition, settings: ServiceSettings) -> RunningService:
    if settings.migrate_on_start:
        await migrations.upgrade(settings, definition.migrations)
    engine = create_engine(settings, role=await app_role(settings.sqlalchemy_url))
    connection, connecting = connect_in_background(settings, f"labs-{settings.service_name}")
    js = connection.jetstream()
    runtime = Runtime(settings, engine, sessionmaker(engine), js, definition.uow_class)
    verifier = (definition.verifier or identity_verifier)(runtime)
    server, health, names = build_server(
        definition.registrations(runtime), verifier, f"{settings.grpc_host}:{settings.grpc_port}",
        tracing=settings.tracing_enabled,
    )

    async def database_ok() -> None:
        async with engine.connect() as db:
            await db.execute(text("SELECT 1"))

    if definition.on_start:
        await definition.on_start(runtime)
    prune = pruner(engine, settings)
    runtime.extras["pruner"] = prune  # closed with the other extras on stop
    prune.start()
    await asyncio.wait([connecting], timeout=NATS_HEAD_START_SECONDS)
    if not connecting.done():
        log.warning("service.starting_without_nats", nats=settings.nats_url)
    await server.start()
    background = [
        # NATS is not a readiness dependency: see the module's docstring.
        asyncio.create_task(monitor_health(health, names, {"database": database_ok},
                                           interval=2.0)),
        asyncio.create_task(_events(definition, runtime, connecting)),
    ]
    log.info("service.started", grpc=f"{settings.grpc_host}:{settings.grpc_port}")
    return RunningService(runtime, server, health, background, connection)


async def _events(definition: ServiceDefinition, runtime: Runtime, connecting: asyncio.Task
                  ) -> None:
    """Once NATS answers: the stream, then the relay, the revocation feed and the consumers
    (until cancelled, or one of them fails)."""
    settings, js = runtime.settings, runtime.js
    try:
        await connecting
        failures = 0
        while True:
            try:
                await ensure_stream(js, settings.service_name, settings.stream_replicas,
                                    settings.stream_max_bytes, settings.dead_letter_max_bytes)
                break
            except Exception as error:
                if not is_transient(error):
                    # Refused (e.g. no storage for a new max_bytes): go on with the stream as it
                    # is; should it be missing, the relay keeps the events until it is there.
                    log.error("service.stream_refused", error=repr(error))
                    break
                failures += 1  # NATS away again, or JetStream not ready yet
                log.warning("service.stream_not_ensured", error=repr(error))
                await asyncio.sleep(min(2**failures, 30))
        relay = OutboxRelay(runtime.engine, js, settings.outbox_poll_seconds)
        tasks = [
            asyncio.create_task(relay.run()),
            asyncio.create_task(SessionRevocationFeed(js, runtime.revoked_sessions).run()),
            *(
                asyncio.create_task(EventConsumer(js, runtime.uow, sub).run())
                for sub in definition.subscriptions(runtime)
            ),
        ]
        try:
            await asyncio.gather(*tasks)
        finally:  # one failed, or we are stopping: none outlives the others
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        connecting.cancel()


def freeze_startup_heap() -> None:
    """What start-up loaded (modules, clients, the server) lives as long as the process: frozen
    out of the collector's sight (after one last collection of start-up's garbage), full
    collections scan only what requests and jobs create."""
    gc.collect()
    gc.freeze()
    release_free_heap()


async def serve(definition: ServiceDefinition, settings: ServiceSettings) -> None:
    """Run until SIGTERM/SIGINT, or until a background loop fails (exit 1 so it is restarted)."""
    configure_logging(settings.service_name, settings.log_level, settings.log_format)
    configure_telemetry(settings.service_name, settings)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    service = await start(definition, settings)
    freeze_startup_heap()
    failed = False
    try:
        stop_task = asyncio.create_task(stopping.wait())
        done, _ = await asyncio.wait(
            [stop_task, *service.background], return_when=asyncio.FIRST_COMPLETED
        )
        # A background loop only ends by failing: stop, and let the supervisor restart us.
        for task in done - {stop_task}:
            failed = True
            log.error("service.task_failed", error=repr(task.exception()))
        stop_task.cancel()
    finally:
        await service.stop()
    if failed:
        raise SystemExit(1)


def main(definition: ServiceDefinition) -> None:
    """`python -m labs_<service>` serves; `... migrate` only migrates (a Kubernetes Job)."""
    settings = definition.settings_class()
    command = sys.argv[1] if len(sys.argv) > 1 else "serve"
    if command == "migrate":
        configure_logging(settings.service_name, settings.log_level, settings.log_format)
        asyncio.run(migrations.upgrade(settings, definition.migrations))
    elif command == "serve":
        asyncio.run(serve(definition, settings))
    else:
        raise SystemExit(f"usage: python -m labs_{settings.service_name} [serve|migrate]")
