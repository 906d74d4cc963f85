"""Labs billing service (see ARCHITECTURE.md for what it owns)."""

# First, before any module of ours imports nats or structlog: labs_common.optional_imports.
import labs_common  # noqa: F401
