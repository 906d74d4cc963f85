"""The verified caller of the current request, carried in a context variable."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from labs_common.auth.roles import Role
from labs_common.errors import PermissionDenied, Unauthenticated


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID
    org_id: uuid.UUID
    role: Role
    token: str
    session_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None

    def require(self, role: Role) -> None:
        if not self.role.at_least(role):
            raise PermissionDenied(
                f"This needs the {role.value} role or higher.",
                reason="ROLE_TOO_LOW",
                metadata={"required_role": role.value},
            )


_current: ContextVar[Principal | None] = ContextVar("labs_principal", default=None)


def current_principal() -> Principal:
    principal = _current.get()
    if principal is None:
        raise Unauthenticated("Authentication required.")
    return principal


def optional_principal() -> Principal | None:
    return _current.get()


def bind_principal(principal: Principal | None):
    return _current.set(principal)


def reset_principal(token) -> None:
    _current.reset(token)
