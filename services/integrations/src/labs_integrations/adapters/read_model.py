"""The read model's tables: a newer fact replaces an older one, never the reverse (events of one
project arrive on several durables, in any order)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from labs_common.db.repository import from_row
from labs_integrations.adapters.orm import known_members, known_projects
from labs_integrations.domain.read_model import KnownMember, KnownProject


class _Facts:
    def __init__(self, session: AsyncSession, org_id: uuid.UUID | None = None) -> None:
        self._session = session
        self._org_id = org_id

    async def _upsert(self, table, keys: tuple[str, ...], values: dict[str, Any]) -> None:
        statement = insert(table).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={k: statement.excluded[k] for k in values if k not in keys},
            where=table.c.as_of <= statement.excluded.as_of,
        )
        await self._session.execute(statement)


class SqlAlchemyKnownProjects(_Facts):
    async def heard(self, project: KnownProject) -> None:
        await self._upsert(known_projects, ("project_id",), vars(project).copy())

    async def get(self, project_id: uuid.UUID) -> KnownProject | None:
        row = (await self._session.execute(
            select(known_projects).where(known_projects.c.project_id == project_id))).first()
        return from_row(KnownProject, row) if row else None

    async def by_name(self, name: str) -> list[KnownProject]:
        """The org's live projects named `name` (case-insensitive), else those whose name starts
        with it: how a Slack user names a project."""
        live = select(known_projects).where(known_projects.c.org_id == self._org_id,
                                            known_projects.c.archived.is_(False))
        exact = (await self._session.execute(
            live.where(func.lower(known_projects.c.name) == name.lower()))).all()
        if exact:
            return [from_row(KnownProject, r) for r in exact]
        prefix = name.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = (await self._session.execute(
            live.where(func.lower(known_projects.c.name).like(prefix + "%"))
            .order_by(known_projects.c.name).limit(5))).all()
        return [from_row(KnownProject, r) for r in rows]

    async def linked_to(self, repository: str) -> list[KnownProject]:
        """Every live project, of any org (a system scope), whose repository is `repository`."""
        rows = (await self._session.execute(
            select(known_projects).where(known_projects.c.github_repository == repository.lower(),
                                         known_projects.c.archived.is_(False)))).all()
        return [from_row(KnownProject, r) for r in rows]

    async def linked(self) -> list[KnownProject]:
        """The org's live projects that link a repository."""
        rows = (await self._session.execute(
            select(known_projects).where(known_projects.c.github_repository.is_not(None),
                                         known_projects.c.archived.is_(False))
            .order_by(known_projects.c.project_id))).all()
        return [from_row(KnownProject, r) for r in rows]


class SqlAlchemyKnownMembers(_Facts):
    async def heard(self, member: KnownMember) -> None:
        await self._upsert(known_members, ("org_id", "user_id"),
                           {**vars(member), "email": member.email.lower()})

    async def left(self, user_id: uuid.UUID, as_of) -> None:
        await self._session.execute(
            known_members.update()
            .where(known_members.c.org_id == self._org_id, known_members.c.user_id == user_id,
                   known_members.c.as_of <= as_of)
            .values(active=False, as_of=as_of))

    async def role_changed(self, user_id: uuid.UUID, role: str, as_of) -> None:
        await self._session.execute(
            known_members.update()
            .where(known_members.c.org_id == self._org_id, known_members.c.user_id == user_id,
                   known_members.c.as_of <= as_of)
            .values(role=role, as_of=as_of))

    async def by_email(self, email: str) -> KnownMember | None:
        row = (await self._session.execute(select(known_members).where(
            known_members.c.org_id == self._org_id,
            known_members.c.email == email.strip().lower(),
            known_members.c.active.is_(True)))).first()
        return from_row(KnownMember, row) if row else None

    async def get(self, user_id: uuid.UUID) -> KnownMember | None:
        row = (await self._session.execute(select(known_members).where(
            known_members.c.org_id == self._org_id, known_members.c.user_id == user_id))).first()
        return from_row(KnownMember, row) if row else None

    async def staff(self) -> list[KnownMember]:
        rows = (await self._session.execute(select(known_members).where(
            known_members.c.org_id == self._org_id, known_members.c.active.is_(True),
            known_members.c.role != "client").order_by(known_members.c.email))).all()
        return [from_row(KnownMember, r) for r in rows]
