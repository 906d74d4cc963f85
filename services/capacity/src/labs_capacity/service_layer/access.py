"""Who may read and change capacity, and what every handler checks of what it was given."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TypeVar

from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import InvalidArgument

T = TypeVar("T")


def require_reader(principal: Principal) -> None:
    """Staff read capacity; the client role sees nothing of it (403)."""
    principal.require(Role.VIEWER)


def require_manager(principal: Principal) -> None:
    principal.require(Role.MANAGER)


def today() -> date:
    return datetime.now(UTC).date()


def required(value: T | None, field: str) -> T:
    """A field the use case cannot do without (the entrypoint left it None when empty)."""
    if value is None:
        raise InvalidArgument.on(field, "is required")
    return value
