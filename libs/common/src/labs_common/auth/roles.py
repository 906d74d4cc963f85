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
