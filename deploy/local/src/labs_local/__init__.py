"""Runs the whole Labs suite on one machine: embedded PostgreSQL and NATS, services, gateway.

`python -m labs_local up` (what `make up` calls) and the end-to-end tests share one code path,
`labs_local.suite.Suite`.
"""

from labs_local.ports import free_port, free_port_base
from labs_local.processes import RestartPolicy
from labs_local.suite import StartupError, Suite

__all__ = ["RestartPolicy", "StartupError", "Suite", "free_port", "free_port_base"]
