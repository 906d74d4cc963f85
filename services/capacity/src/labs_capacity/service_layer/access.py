"""Who may read and change capacity, and finding an object of the caller's org."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import InvalidArgument, NotFound


def require_reader(principal: Principal) -> None:
    """Staff read capacity; the client role sees nothing of it (403)."""
    principal.require(Role.VIEWER)


def require_manager(principal: Principal) -> None:
    principal.require(Role.MANAGER)


def today() -> date:
    return datetime.now(UTC).date()


def object_id(value: str, what: str) -> uuid.UUID:
    """An id naming an object: a malformed one names nothing, so it is NOT_FOUND."""
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError) as error:
        raise NotFound(f"No such {what}.") from error


def field_id(value: str, field: str, *, required: bool = True) -> uuid.UUID | None:
    """An id given as a field of a request: malformed is a validation error naming the field."""
    if not value:
        if required:
            raise InvalidArgument.on(field, "is required")
        return None
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError) as error:
        raise InvalidArgument.on(field, "must be a UUID") from error
