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


class FakeProjectRows(FakeNamedRows):
    """Projects as the repository returns them: with their client's name as it is now."""

    def __init__(self, clients: FakeNamedRows) -> None:
        super().__init__()
        self._clients = clients

    def _named(self, project):
        if project is not None:
            client = self._clients.rows.get(project.client_id)
            project.client_name = client.name if client else None
        return project

    async def by_name(self, name: str):
        return self._named(await super().by_name(name))

    async def get(self, row_id: uuid.UUID, *, for_update: bool = False):
        return self._named(await super().get(row_id, for_update=for_update))

    async def add(self, row):
        return self._named(await super().add(row))

    async def save(self, row):
        return self._named(await super().save(row))


class FakeProjectsUnitOfWork(FakeUnitOfWork):
    def _start(self) -> None:
        self.clients = FakeNamedRows()
        self.projects = FakeProjectRows(self.clients)


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
