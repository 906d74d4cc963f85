"""Roles of an organization's members and what each may do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MANAGER = "manager"
    MEMBER = "member"
    VIEWER = "viewer"
    # Reads only the projects and invoices of the client it is attached to.
    CLIENT = "client"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def at_least(self, other: Role) -> bool:
        """Staff roles rank owner > admin > manager > member > viewer; client is below all."""
        return self.rank >= other.rank


_RANK = {
    Role.OWNER: 50,
    Role.ADMIN: 40,
    Role.MANAGER: 30,
    Role.MEMBER: 20,
    Role.VIEWER: 10,
    Role.CLIENT: 0,
}


def staff_role(role: str, active: bool = True) -> Role | None:
    """The role of an active member of the agency's own people; None for a client-role user, an
    inactive member, or a role this version does not know: whoever may hear nothing internal
    (alerts, webhook deliveries, channel messages)."""
    if not active:
        return None
    try:
        found = Role(role)
    except ValueError:
        return None
    return None if found is Role.CLIENT else found
