"""Labs gateway: the REST and WebSocket edge in front of the gRPC services."""

# First, before any module of ours imports nats or structlog: labs_common.optional_imports.
import labs_common  # noqa: F401
