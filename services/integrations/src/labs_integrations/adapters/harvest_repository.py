"""Harvest's sync state, tenant rows bound to the scope's org: which Labs project each Harvest
project is, and the cursors of the incremental sync and the reconcile."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from labs_common.db.repository import OrgScopedRepository, TableRepository
from labs_integrations.adapters.harvest_tables import harvest_cursors, harvest_projects


class SqlAlchemyHarvestProjects(OrgScopedRepository):
    table = harvest_projects

    async def all(self) -> dict[int, uuid.UUID]:
        rows = await self._session.execute(self._select())
        return {row.harvest_id: row.project_id for row in rows}

    async def link(self, harvest_id: int, project_id: uuid.UUID) -> None:
        statement = insert(harvest_projects).values(
            id=uuid.uuid4(), org_id=self._org_id, harvest_id=harvest_id, project_id=project_id)
        await self._session.execute(statement.on_conflict_do_update(
            constraint="harvest_projects_once", set_={"project_id": project_id}))


class SqlAlchemyHarvestCursors(TableRepository):
    table = harvest_cursors

    async def get(self) -> tuple[datetime | None, datetime | None]:
        """(updated_since, reconciled_at) of the org's sync; Nones before its first."""
        row = (await self._session.execute(select(harvest_cursors).where(
            harvest_cursors.c.org_id == self._org_id))).first()
        return (row.updated_since, row.reconciled_at) if row else (None, None)

    async def advance(self, *, updated_since: datetime | None = None,
                      reconciled_at: datetime | None = None) -> None:
        """Moves the cursors forward only: a slower sync finishing late never moves one back."""
        statement = insert(harvest_cursors).values(
            org_id=self._org_id, updated_since=updated_since, reconciled_at=reconciled_at)
        excluded = statement.excluded
        await self._session.execute(statement.on_conflict_do_update(
            index_elements=["org_id"], set_={
                "updated_since": func.greatest(harvest_cursors.c.updated_since,
                                               excluded.updated_since),
                "reconciled_at": func.greatest(harvest_cursors.c.reconciled_at,
                                               excluded.reconciled_at)}))
