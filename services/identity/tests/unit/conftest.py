"""Identity's handlers against fakes: members, refresh tokens and API keys in memory."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

from labs_common.auth.roles import Role
from labs_common.testing.fakes import FakeUnitOfWork


class FakeMembers:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, object] = {}

    async def get(self, org_id, user_id, *, for_update=False):
        found = self.rows.get(user_id)
        return replace(found) if found is not None and found.org_id == org_id else None

    async def everywhere_by_email(self, email):
        return [(replace(m), f"Org {m.org_id}") for m in self.rows.values() if m.email == email]

    async def count_owners(self, org_id) -> int:
        return sum(1 for m in self.rows.values() if m.org_id == org_id and m.role is Role.OWNER)

    async def set_role(self, member) -> None:
        self.rows[member.id] = replace(member)

    async def remove(self, user_id) -> None:
        self.rows.pop(user_id, None)


class FakeRefreshTokens:
    """Sessions as {user id: [session ids]}; revoking answers the ids it ended."""

    def __init__(self) -> None:
        self.revoked_users: list[uuid.UUID] = []
        self.sessions: dict[uuid.UUID, list[uuid.UUID]] = {}

    async def revoke_user(self, user_id, *, keep=None) -> list[uuid.UUID]:
        self.revoked_users.append(user_id)
        ended = [s for s in self.sessions.get(user_id, []) if s != keep]
        self.sessions[user_id] = [s for s in self.sessions.get(user_id, []) if s == keep]
        return ended

    async def revoke_family(self, family_id) -> int:
        for sessions in self.sessions.values():
            if family_id in sessions:
                sessions.remove(family_id)
                return 1
        return 0


class FakeApiKeys:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, object] = {}

    async def add(self, key, secret_hash):
        key.created_at = datetime.now(UTC)
        self.rows[key.id] = key
        return key

    async def get(self, org_id, key_id):
        found = self.rows.get(key_id)
        return found if found is not None and found.org_id == org_id else None

    async def revoke(self, key_id) -> None:
        self.rows[key_id].revoked_at = datetime.now(UTC)


class FakeOrganizations:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, object] = {}

    async def get(self, org_id, *, for_update=False):
        found = self.rows.get(org_id)
        return replace(found, settings=dict(found.settings)) if found is not None else None

    async def save(self, org):
        org = replace(org, updated_at=datetime.now(UTC))
        self.rows[org.id] = org
        return replace(org)


class FakeLoginFailures:
    """What a successful sign-in forgot, in its own transaction."""

    def __init__(self) -> None:
        self.forgotten: list[str] = []

    async def forget(self, account) -> None:
        self.forgotten.append(account)

    async def uncount(self, account) -> None:
        pass


class FakeIdentityUnitOfWork(FakeUnitOfWork):
    def _start(self) -> None:
        self.organizations = FakeOrganizations()
        self.login_failures = FakeLoginFailures()
        self.members = FakeMembers()
        self.refresh_tokens = FakeRefreshTokens()
        self.api_keys = FakeApiKeys()
