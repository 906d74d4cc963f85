"""Runs the whole Labs suite on one machine: embedded PostgreSQL and NATS, services, gateway.

`python -m labs_local up` (what `make up` calls) and the end-to-end tests share one code path,
`labs_local.suite.Suite`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labs_local.ports import free_port, free_port_base
    from labs_local.processes import RestartPolicy
    from labs_local.suite import StartupError, Suite

__all__ = ["RestartPolicy", "StartupError", "Suite", "free_port", "free_port_base"]

# Imported when first asked for: the fork server imports labs_local.fork_preload, and what it
# imports every child maps, so the runner's own console (rich) stays out of it.
_WHERE = {"free_port": "ports", "free_port_base": "ports", "RestartPolicy": "processes",
          "StartupError": "suite", "Suite": "suite"}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"labs_local.{_WHERE[name]}"), name)
