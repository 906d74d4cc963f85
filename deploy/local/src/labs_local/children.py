"""What each child runs and with which environment: the seven services and the gateway."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from labs_local.processes import ChildSpec

GATEWAY = "gateway"

# Variables that are per process. Inherited from the runner's own environment they would give
# every service the same port or database, so only the runner sets them.
_PER_PROCESS = frozenset({"LABS_SERVICE_NAME", "LABS_GRPC_PORT", "LABS_DATABASE_NAME"})
# Identity issues delegated tokens to the services that act as a member, which show it this
# secret (labs_common.auth.delegation); no other child gets it.
DELEGATION_SECRET_VARIABLE = "LABS_DELEGATION_SECRET"
DELEGATING_SERVICES = frozenset({"identity", "integrations"})


def module_of(name: str) -> str:
    return f"labs_{name}"


@dataclass(frozen=True)
class ChildEnvironment:
    """What every child shares; each spec adds its own variables on top."""

    nats_url: str
    port_base: int
    labs_env: str = "development"
    log_format: str = "console"
    shutdown_grace_seconds: float = 5.0
    # What identity and the delegating services share (DELEGATING_SERVICES); "" gives none.
    delegation_secret: str = field(default="", repr=False)
    # The runner's environment (PATH, OTEL_*, LABS_LOG_LEVEL, ...), passed through.
    inherited: Mapping[str, str] = field(default_factory=dict)
    # Applied last: a test's or user's explicit choice wins over everything.
    extra: Mapping[str, str] = field(default_factory=dict)

    def build(self, own: Mapping[str, str]) -> dict[str, str]:
        env = {k: v for k, v in self.inherited.items()
               if k not in _PER_PROCESS and k != DELEGATION_SECRET_VARIABLE}
        env.update(
            {
                "LABS_NATS_URL": self.nats_url,
                "LABS_PORT_BASE": str(self.port_base),
                "LABS_ENV": self.labs_env,
                "LABS_LOG_FORMAT": self.log_format,
                "LABS_SHUTDOWN_GRACE_SECONDS": f"{self.shutdown_grace_seconds:g}",
                # Children write into a pipe; unbuffered, their lines show up as they happen.
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(own)
        env.update(self.extra)
        return env


def service_spec(
    name: str,
    database_url: str,
    shared: ChildEnvironment,
    database_prefix: str = "labs_",
    data_dir: Path | None = None,
) -> ChildSpec:
    """One server for all services, one database each; the service creates and migrates it.
    Files (the projects service's uploads) go under the suite's data directory too."""
    own = {"LABS_DATABASE_URL": database_url, "LABS_DATABASE_NAME": f"{database_prefix}{name}"}
    if data_dir is not None:
        own["LABS_OBJECT_STORAGE_DIR"] = str(data_dir / "objects")
    if name in DELEGATING_SERVICES and shared.delegation_secret:
        own[DELEGATION_SECRET_VARIABLE] = shared.delegation_secret
    return ChildSpec(name=name, argv=(sys.executable, "-m", module_of(name)), env=shared.build(own),
                     module=module_of(name))


def gateway_spec(host: str, port: int, shared: ChildEnvironment) -> ChildSpec:
    return ChildSpec(
        name=GATEWAY,
        argv=(sys.executable, "-m", module_of(GATEWAY)),
        module=module_of(GATEWAY),
        env=shared.build({"LABS_GATEWAY_HOST": host, "LABS_GATEWAY_PORT": str(port)}),
    )
