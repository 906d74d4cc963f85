"""The projects service's handlers against fakes: clients and projects in memory, and an
identity service that knows who is staff."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from labs_common.auth.roles import Role
from labs_common.testing.fakes import FakeUnitOfWork, a_caller


def _now() -> datetime:
    return datetime.now(UTC)


class FakeNamedRows:
    """What the client and project repositories share: rows by id, found by name."""

    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, object] = {}

    async def lock_name(self, name: str) -> None:
        pass

    async def by_name(self, name: str):
        key = name.strip().lower()
        return next((replace(r) for r in self.rows.values() if r.name.lower() == key), None)

    async def get(self, row_id: uuid.UUID, *, for_update: bool = False):
        found = self.rows.get(row_id)
        return replace(found) if found else None

    async def add(self, row):
        row.created_at = row.updated_at = _now()
        self.rows[row.id] = replace(row)
        return row

    async def save(self, row):
        row.updated_at = _now()
        self.rows[row.id] = replace(row)
        return row


class FakeProjectsUnitOfWork(FakeUnitOfWork):
    def _start(self) -> None:
        self.clients = FakeNamedRows()
        self.projects = FakeNamedRows()


class FakeMemberDirectory:
    """Identity, as projects asks it: who is a staff member of the caller's org."""

    def __init__(self) -> None:
        self.staff: set[uuid.UUID] = set()

    async def is_staff_member(self, user_id: uuid.UUID) -> bool:
        return user_id in self.staff


@pytest.fixture
def manager_uow() -> FakeProjectsUnitOfWork:
    return FakeProjectsUnitOfWork(caller=a_caller(Role.MANAGER))


@pytest.fixture
def members() -> FakeMemberDirectory:
    return FakeMemberDirectory()
