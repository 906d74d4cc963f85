"""Labs identity: organizations, members and roles, sessions, invitations, API keys, JWKS."""

# First, before any module of ours imports nats or structlog: labs_common.optional_imports.
import labs_common  # noqa: F401
