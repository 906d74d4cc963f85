"""Imports, tenant rows bound to the scope's org: what each import asked (its row shares the id
of its sync log), and the task each imported issue became."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from labs_common.db.repository import OrgScopedRepository
from labs_integrations.adapters.import_tables import imported_tasks, task_imports
from labs_integrations.adapters.orm import sync_logs
from labs_integrations.domain.connections import Platform, SyncStatus
from labs_integrations.domain.imports import ImportRequest, IssueLink


def _link(row) -> IssueLink:
    return IssueLink(id=row.id, platform=Platform(row.platform), external_id=row.external_id,
                     project_id=row.project_id, task_id=row.task_id,
                     applied=dict(row.applied or {}))


class SqlAlchemyTaskImports(OrgScopedRepository):
    table = task_imports

    async def add(self, request: ImportRequest) -> None:
        await self._insert(id=request.id, org_id=self._org_id,
                           connection_id=request.connection_id, project_id=request.project_id,
                           source=request.source, requested_by=request.requested_by)

    async def get(self, import_id: uuid.UUID) -> ImportRequest | None:
        row = await self._row(import_id)
        return ImportRequest(id=row.id, org_id=row.org_id, connection_id=row.connection_id,
                             project_id=row.project_id, source=row.source,
                             requested_by=row.requested_by) if row else None

    async def pending(self, connection_id: uuid.UUID, project_id: uuid.UUID, source: str
                      ) -> uuid.UUID | None:
        """The import of the same source into the same project still queued or running."""
        row = (await self._session.execute(
            select(task_imports.c.id).join(sync_logs, sync_logs.c.id == task_imports.c.id)
            .where(task_imports.c.org_id == self._org_id,
                   task_imports.c.connection_id == connection_id,
                   task_imports.c.project_id == project_id, task_imports.c.source == source,
                   sync_logs.c.status == SyncStatus.IN_PROGRESS.value).limit(1))).first()
        return row.id if row else None


class SqlAlchemyImportedTasks(OrgScopedRepository):
    table = imported_tasks

    async def of(self, platform: Platform, external_ids: Iterable[str]) -> dict[str, IssueLink]:
        rows = (await self._session.execute(self._select(
            imported_tasks.c.platform == platform.value,
            imported_tasks.c.external_id.in_(list(external_ids))))).all()
        return {row.external_id: _link(row) for row in rows}

    async def claim(self, link: IssueLink) -> IssueLink:
        """Links the issue to `link.task_id` unless it is linked already: the link that holds
        (another import's, made meanwhile, wins)."""
        statement = insert(imported_tasks).values(
            id=link.id, org_id=self._org_id, platform=link.platform.value,
            external_id=link.external_id, project_id=link.project_id, task_id=link.task_id,
            applied=link.applied, updated_at=func.now())
        inserted = (await self._session.execute(statement.on_conflict_do_nothing(
            constraint="imported_tasks_once").returning(imported_tasks.c.id))).first()
        if inserted is not None:
            return link
        return (await self.of(link.platform, [link.external_id]))[link.external_id]

    async def save(self, link: IssueLink) -> None:
        """The task it now is, and what it was told."""
        await self._update(link.id, task_id=link.task_id, project_id=link.project_id,
                           applied=link.applied)
