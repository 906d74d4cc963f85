"""The runner's settings: the one place that reads the environment.

Everything else receives values from here (or from the `Suite` constructor in tests), so a test can
run a suite without touching its own process environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# NATS listens next to the services' gRPC ports (base + 1..7) so one LABS_PORT_BASE moves a whole
# copy of the suite, engines included.
NATS_PORT_OFFSET = 20


def _is_workspace_root(directory: Path) -> bool:
    pyproject = directory / "pyproject.toml"
    return pyproject.is_file() and "[tool.uv.workspace]" in pyproject.read_text(encoding="utf-8")


def repo_root() -> Path:
    """The uv workspace root, found from this file in a checkout, else from the working dir."""
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for directory in (start, *start.parents):
            if _is_workspace_root(directory):
                return directory
    return Path.cwd().resolve()


def inherited_environment() -> dict[str, str]:
    """A copy of this process's environment, the base every child's environment is built on."""
    return dict(os.environ)


class LocalSettings(BaseSettings):
    """`LABS_*` variables understood by `python -m labs_local up`."""

    model_config = SettingsConfigDict(env_prefix="LABS_", extra="ignore", frozen=True)

    # Where the embedded engines keep their data; a restart reuses it.
    data_dir: Path = Field(default_factory=lambda: repo_root() / ".data")
    # Set either to use a real server instead of the embedded one.
    database_url: str = ""
    nats_url: str = ""
    # 0 means port_base + NATS_PORT_OFFSET.
    nats_port: int = Field(0, ge=0, le=65535)
    port_base: int = Field(50050, ge=1024, le=65000)
    gateway_host: str = "127.0.0.1"
    gateway_port: int = Field(8000, ge=1, le=65535)
    # Passed on to every child; locally people read logs, so console rather than JSON.
    log_format: Literal["json", "console"] = "console"
    env: Literal["development", "test", "production"] = "development"
    shutdown_grace_seconds: float = Field(5.0, ge=0)
    startup_timeout_seconds: float = Field(60.0, gt=0)
    # Fork the services and the gateway from one interpreter that has imported their libraries
    # (labs_local.forked); false runs each as its own `python -m`.
    fork_children: bool = True

    @property
    def effective_nats_port(self) -> int:
        return self.nats_port or self.port_base + NATS_PORT_OFFSET
