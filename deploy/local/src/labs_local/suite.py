"""The whole suite as one object: what `python -m labs_local up` runs and what end-to-end tests
start once per session.

On the way up: the engines (while the fork server imports what every child shares,
labs_local.forked), then every service and the gateway at once, forked from it, which then have
`startup_timeout` seconds to become healthy. Nothing waits for identity: the others fetch its
signing keys on the first token they verify, not at start, and the gateway reports 503 until the
services answer. On the way down everything goes at once: each process drains itself within its
grace period, then the engines stop.
"""

from __future__ import annotations

import asyncio
import importlib.util
import secrets
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path

from rich.console import Console

from labs_common.config import SERVICE_PORT_OFFSETS, SERVICES
from labs_local import forked, ports
from labs_local.children import (
    DELEGATION_SECRET_VARIABLE,
    GATEWAY,
    ChildEnvironment,
    gateway_spec,
    module_of,
    service_spec,
)
from labs_local.engines import Engines, start_engines
from labs_local.health import grpc_health, http_health, wait_until_healthy
from labs_local.output import Output
from labs_local.processes import ChildSpec, RestartPolicy, describe_exit
from labs_local.settings import NATS_PORT_OFFSET, LocalSettings, inherited_environment
from labs_local.supervisor import Supervisor
from labs_local.urls import GatewayUrls, service_address


class StartupError(RuntimeError):
    """The suite did not become healthy in time; `unhealthy` maps each culprit to its reason."""

    def __init__(self, message: str, unhealthy: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.unhealthy = dict(unhealthy or {})


class Suite:
    """PostgreSQL + NATS (embedded unless URLs are given), the services and the gateway, as
    supervised child processes.

    `await suite.start()` returns once all are healthy (or raises StartupError, having stopped
    what it started); `await suite.stop()` stops everything and is idempotent. Also an async
    context manager. Ports: service gRPC on 127.0.0.1:port_base+offset, embedded NATS on
    port_base+20 unless nats_port, gateway on gateway_host:gateway_port.
    """

    def __init__(
        self,
        *,
        data_dir: Path | None = None,
        port_base: int = 50050,
        gateway_port: int = 8000,
        gateway_host: str = "127.0.0.1",
        database_url: str | None = None,
        nats_url: str | None = None,
        nats_port: int | None = None,
        database_prefix: str = "labs_",
        services: Sequence[str] = SERVICES,
        gateway: bool = True,
        labs_env: str = "development",
        log_format: str = "console",
        shutdown_grace_seconds: float = 5.0,
        startup_timeout: float = 60.0,
        restart_policy: RestartPolicy | None = None,
        fork_children: bool = True,
        extra_env: Mapping[str, str] | None = None,
        inherited_env: Mapping[str, str] | None = None,
        console: Console | None = None,
    ) -> None:
        unknown = set(services) - set(SERVICES)
        if unknown:
            raise ValueError(f"unknown services: {', '.join(sorted(unknown))}")
        # Keep the canonical order: it is the order of the logs' colours and the banner.
        self.services: tuple[str, ...] = tuple(s for s in SERVICES if s in services)
        self.gateway = gateway
        self.data_dir = data_dir
        self.port_base = port_base
        self.nats_port = nats_port or port_base + NATS_PORT_OFFSET
        self.gateway_host = gateway_host
        self.gateway_port = gateway_port
        self.urls = GatewayUrls(gateway_host, gateway_port)
        # The URLs given, or after start() the ones of the embedded engines.
        self.database_url = database_url
        # Databases are <prefix><service>; tests sharing a server with other tests may isolate.
        self.database_prefix = database_prefix
        self.nats_url = nats_url
        self.startup_timeout = startup_timeout
        # Children get SIGKILL only after their own drain period had a fair chance.
        self.kill_after = max(8.0, shutdown_grace_seconds + 3.0)
        self.output = Output(console)
        self.supervisor = Supervisor(self.output, restart_policy or RestartPolicy(),
                                     fork=fork_children)
        inherited = dict(inherited_environment() if inherited_env is None else inherited_env)
        self._shared = partial(
            ChildEnvironment,
            port_base=port_base,
            labs_env=labs_env,
            log_format=log_format,
            shutdown_grace_seconds=shutdown_grace_seconds,
            # Identity and integrations share it: LABS_DELEGATION_SECRET when set, else a fresh
            # one per run (nothing outside the suite needs to know it).
            delegation_secret=(inherited.get(DELEGATION_SECRET_VARIABLE)
                               or secrets.token_urlsafe(32)),
            inherited=inherited,
            extra=dict(extra_env or {}),
        )
        self._engines_task: asyncio.Task[Engines] | None = None
        self._stop_task: asyncio.Task | None = None
        self._started = False

    @classmethod
    def from_settings(cls, settings: LocalSettings, **overrides) -> Suite:
        """The suite `python -m labs_local up` runs, configured by LABS_* variables."""
        return cls(**{
            "data_dir": settings.data_dir.resolve(),
            "port_base": settings.port_base,
            "gateway_port": settings.gateway_port,
            "gateway_host": settings.gateway_host,
            "database_url": settings.database_url or None,
            "nats_url": settings.nats_url or None,
            "nats_port": settings.effective_nats_port,
            "labs_env": settings.env,
            "log_format": settings.log_format,
            "shutdown_grace_seconds": settings.shutdown_grace_seconds,
            "startup_timeout": settings.startup_timeout_seconds,
            "fork_children": settings.fork_children,
            **overrides,
        })

    @property
    def gateway_url(self) -> str:
        """http://host:port of the gateway (its API is under /api/v1)."""
        return self.urls.base

    @property
    def engines(self) -> Engines | None:
        """The engines once started (the drill stops and starts the embedded ones)."""
        task = self._engines_task
        if task is None or not task.done() or task.cancelled() or task.exception():
            return None
        return task.result()

    def address_of(self, service: str) -> str:
        """host:port of a service's gRPC server."""
        return service_address(service, self.port_base)

    async def __aenter__(self) -> Suite:
        await self.start()
        return self

    async def __aexit__(self, *_exc) -> None:
        await self.stop()

    async def start(self) -> None:
        """Returns once every child is healthy. On failure or cancellation everything started so
        far is stopped again before the error propagates, so callers never leak processes."""
        if self._started:
            raise RuntimeError("a Suite starts once")
        self._started = True
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Idempotent; safe after a failed or cancelled start()."""
        if self._stop_task is None:
            self._stop_task = asyncio.create_task(self._stop())
        # Shielded: a caller cancelled mid-way must not leave half the suite running.
        await asyncio.shield(self._stop_task)

    async def _start(self) -> None:
        self._check_runnable()
        self._check_ports()
        if self.supervisor.fork:
            forked.warm()  # its imports overlap the engines' start
        # A task of its own, shielded: a start() cancelled meanwhile (Ctrl-C during initdb) lets
        # it finish, so stop() finds and stops what it started instead of orphaning PostgreSQL.
        self._engines_task = asyncio.create_task(start_engines(
            data_dir=self.data_dir,
            database_url=self.database_url,
            nats_url=self.nats_url,
            nats_port=self.nats_port,
            output=self.output,
        ))
        engines = await asyncio.shield(self._engines_task)
        self.database_url, self.nats_url = engines.database_url, engines.nats_url
        shared = self._shared(nats_url=self.nats_url)

        # Everything at once: what is left of start-up is each child's own imports and its
        # database, and two cores run two children at a time whichever order they come in, so
        # waiting for one only adds its time.
        for name in self.services:
            self.supervisor.start(self._service_spec(name, shared))
        if self.gateway:
            self.supervisor.start(gateway_spec(self.gateway_host, self.gateway_port, shared))
        deadline = asyncio.get_running_loop().time() + self.startup_timeout
        await self._require_healthy(self._grpc_checks(self.services), deadline)
        if self.gateway:
            await self._require_healthy({GATEWAY: partial(http_health, self.urls.health)},
                                        deadline, also_report=self.services)
        self.output.info("all healthy", "bold green")

    def _service_spec(self, name: str, shared: ChildEnvironment) -> ChildSpec:
        return service_spec(name, self.database_url, shared, self.database_prefix, self.data_dir)

    def _grpc_checks(self, services: Sequence[str]) -> dict:
        return {name: partial(grpc_health, self.address_of(name)) for name in services}

    async def _stop(self) -> None:
        await self.supervisor.stop(self.kill_after)
        if self._engines_task is None:
            return
        try:
            engines = await self._engines_task
        except BaseException:  # they never started; start_engines cleaned up after itself
            return
        await asyncio.to_thread(engines.stop)
        self.output.info("stopped", "dim")

    def _check_runnable(self) -> None:
        """Fails fast, and says why, instead of crash-looping a module that is not there."""
        names = [*self.services, *([GATEWAY] if self.gateway else [])]
        missing = []
        for name in names:
            try:
                found = importlib.util.find_spec(f"{module_of(name)}.__main__") is not None
            except ModuleNotFoundError:
                found = False
            if not found:
                missing.append(f"{module_of(name)}.__main__")
        if missing:
            raise StartupError(
                f"cannot run {', '.join(missing)}: not installed or not written yet "
                "(`uv sync --all-packages` installs every workspace package)"
            )

    def _check_ports(self) -> None:
        """A port in use means another copy is running: say so instead of letting each service
        crash-loop on `address already in use`."""
        wanted = {name: self.port_base + SERVICE_PORT_OFFSETS[name] for name in self.services}
        if self.gateway:
            wanted[GATEWAY] = self.gateway_port
        if not self.nats_url:
            wanted["nats"] = self.nats_port
        if taken := ports.busy(wanted):
            listed = ", ".join(f"{name} {port}" for name, port in taken.items())
            raise StartupError(
                f"ports already in use: {listed}. Is another copy running? "
                "Set LABS_PORT_BASE / LABS_GATEWAY_PORT to run a second one."
            )

    async def _require_healthy(
        self, checks: Mapping, deadline: float, also_report: Sequence[str] = ()
    ) -> None:
        """Raises StartupError naming what is unhealthy at the deadline. `also_report`: services
        asked once more on failure, since a gateway is usually unhealthy because of one of them."""
        unhealthy = await wait_until_healthy(checks, deadline)
        if not unhealthy:
            return
        reasons = await asyncio.gather(*(grpc_health(self.address_of(s)) for s in also_report))
        unhealthy.update({s: r for s, r in zip(also_report, reasons, strict=True) if r})
        lines = [f"  {name}: {why}{self._crash_note(name)}" for name, why in unhealthy.items()]
        heading = f"not healthy within {self.startup_timeout:g} s of being started:"
        raise StartupError("\n".join([heading, *lines]), unhealthy)

    def _crash_note(self, name: str) -> str:
        child = self.supervisor.children.get(name)
        if child is None or not child.crashes:
            return ""
        return (f" (crashed {len(child.crashes)}x, last {describe_exit(child.crashes[-1].code)};"
                " see its log above)")

