"""SQLAlchemy repositories of clients and projects. Every query runs in a unit of work scoped to
one org (row-level security) and filters by org as well."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime

from sqlalchemy import func, insert, or_, select, text, update
from sqlalchemy.engine import Row
from sqlalchemy.sql import Select

from labs_common.db.repository import OrgScopedRepository
from labs_projects.adapters.orm import clients, projects
from labs_projects.domain.model import BudgetType, Client, Priority, Project, ProjectStatus

Position = tuple[datetime, uuid.UUID]


def like_pattern(q: str) -> str:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class SqlAlchemyClientRepository(OrgScopedRepository):
    table = clients

    async def add(self, client: Client) -> Client:
        return _client(await self._insert_row(client, updated_at=func.clock_timestamp()))

    async def get(
        self, client_id: uuid.UUID, *, for_update: bool = False
    ) -> Client | None:
        query = select(clients).where(clients.c.org_id == self._org_id, clients.c.id == client_id)
        row = (
            await self._session.execute(query.with_for_update() if for_update else query)
        ).first()
        return _client(row) if row else None

    async def by_name(self, name: str) -> Client | None:
        row = (
            await self._session.execute(
                select(clients).where(
                    clients.c.org_id == self._org_id,
                    func.lower(clients.c.name) == name.lower(),
                    clients.c.archived_at.is_(None),
                )
            )
        ).first()
        return _client(row) if row else None

    async def lock_name(self, name: str) -> None:
        """Serializes find-or-create of one name in one org until the transaction ends."""
        await self._session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"client-name:{self._org_id}:{name.lower()}"},
        )

    async def page(
        self, after: Position | None,
        limit: int,
        *,
        q: str = "",
        include_archived: bool = False,
        only_id: uuid.UUID | None = None,
    ) -> list[Client]:
        query = select(clients).where(clients.c.org_id == self._org_id)
        if not include_archived:
            query = query.where(clients.c.archived_at.is_(None))
        if q:
            query = query.where(clients.c.name.ilike(like_pattern(q)))
        if only_id is not None:
            query = query.where(clients.c.id == only_id)
        if after:
            query = query.where((clients.c.created_at, clients.c.id) < after)
        query = query.order_by(clients.c.created_at.desc(), clients.c.id.desc()).limit(limit)
        return [_client(row) for row in (await self._session.execute(query)).all()]

    async def save(self, client: Client) -> Client:
        return _client(await self._save_row(client))


_PROJECT_FIELDS = [
    f.name
    for f in dataclasses.fields(Project)
    if f.name not in ("id", "org_id", "created_at", "updated_at", "client_name")
]


def _project_values(project: Project) -> dict:
    values = {name: getattr(project, name) for name in _PROJECT_FIELDS}
    for name in ("status", "priority", "budget_type"):
        values[name] = values[name].value
    return values


class SqlAlchemyProjectRepository(OrgScopedRepository):
    """Every project read here comes with its client's name (`client_name`), joined from the
    clients table in the same query, written ones too (the insert or update is a CTE joined to
    clients), so events and reads carry the name the client has at that moment."""

    async def add(self, project: Project) -> Project:
        saved = (
            insert(projects)
            .values(
                id=project.id,
                org_id=project.org_id,
                updated_at=func.clock_timestamp(),
                **_project_values(project),
            )
            .returning(*_columns())
            .cte("saved")
        )
        return _project((await self._session.execute(_named(saved))).one())

    async def get(
        self, project_id: uuid.UUID, *, for_update: bool = False
    ) -> Project | None:
        query = _named().where(projects.c.org_id == self._org_id, projects.c.id == project_id)
        if for_update:
            # Locks the project row only (the client's row is on the nullable side of the join).
            query = query.with_for_update(of=projects)
        row = (await self._session.execute(query)).first()
        return _project(row) if row else None

    async def by_name(self, name: str) -> Project | None:
        """The oldest project of this name, ignoring case and surrounding spaces."""
        row = (
            await self._session.execute(
                _named()
                .where(
                    projects.c.org_id == self._org_id,
                    func.lower(func.btrim(projects.c.name)) == name.strip().lower(),
                )
                .order_by(projects.c.created_at, projects.c.id)
                .limit(1)
            )
        ).first()
        return _project(row) if row else None

    async def lock_name(self, name: str) -> None:
        await self._session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"project-name:{self._org_id}:{name.strip().lower()}"},
        )

    async def page(
        self, after: Position | None,
        limit: int,
        *,
        status: ProjectStatus | None = None,
        client_id: uuid.UUID | None = None,
        q: str = "",
    ) -> list[Project]:
        query = _named().where(projects.c.org_id == self._org_id)
        if status is not None:
            query = query.where(projects.c.status == status.value)
        else:
            query = query.where(projects.c.status != ProjectStatus.ARCHIVED.value)
        if client_id is not None:
            query = query.where(projects.c.client_id == client_id)
        if q:
            query = query.where(
                or_(
                    projects.c.search.op("@@")(func.websearch_to_tsquery("english", q)),
                    projects.c.name.ilike(like_pattern(q)),
                )
            )
        if after:
            query = query.where((projects.c.created_at, projects.c.id) < after)
        query = query.order_by(projects.c.created_at.desc(), projects.c.id.desc()).limit(limit)
        return [_project(row) for row in (await self._session.execute(query)).all()]

    async def save(self, project: Project) -> Project:
        saved = (
            update(projects)
            .where(projects.c.id == project.id)
            .values(updated_at=func.clock_timestamp(), **_project_values(project))
            .returning(*_columns())
            .cte("saved")
        )
        return _project((await self._session.execute(_named(saved))).one())


def _columns():
    return [c for c in projects.c if c.name != "search"]


def _named(rows=None) -> Select:
    """Project rows (the table, or the rows an insert or update returned) with their client's
    name beside them: NULL without a client."""
    source = projects if rows is None else rows
    columns = _columns() if rows is None else list(rows.c)
    return select(*columns, clients.c.name.label("client_name")).select_from(
        source.outerjoin(
            clients,
            (clients.c.id == source.c.client_id) & (clients.c.org_id == source.c.org_id),
        )
    )


def _client(row: Row) -> Client:
    return Client(
        id=row.id,
        org_id=row.org_id,
        name=row.name,
        email=row.email,
        currency=row.currency,
        created_at=row.created_at,
        updated_at=row.updated_at,
        archived_at=row.archived_at,
    )


def _project(row: Row) -> Project:
    values = {name: getattr(row, name) for name in _PROJECT_FIELDS}
    values["status"] = ProjectStatus(values["status"])
    values["priority"] = Priority(values["priority"])
    values["budget_type"] = BudgetType(values["budget_type"])
    return Project(
        id=row.id,
        org_id=row.org_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        client_name=row.client_name,
        **values,
    )
