"""What capacity knows of each project's status, heard from projects' events, and the spans of
the allocations to a project (the weeks whose over-allocation an archive or a restore changes)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from labs_capacity.adapters.orm import allocations, project_states
from labs_common.db.repository import OrgScopedRepository

# Before any event (a placeholder row, replaced by the first event heard).
_NEVER = datetime.fromisoformat("1970-01-01T00:00:00+00:00")


class SqlAlchemyProjectStates(OrgScopedRepository):
    table = project_states

    async def record(
        self, project_id: uuid.UUID, status: str, archived: bool, as_of: datetime
    ) -> bool:
        """Keep `status` unless a later event already set one; True when whether the project is
        archived changed (so its weeks are re-judged)."""
        # A row to lock first: two events of one project, heard by two durables at once, apply
        # one after the other.
        await self._session.execute(
            insert(project_states)
            .values(project_id=project_id, org_id=self._org_id, status="", archived=False,
                    as_of=_NEVER)
            .on_conflict_do_nothing()
        )
        before = (
            await self._session.execute(
                select(project_states.c.archived, project_states.c.as_of)
                .where(project_states.c.project_id == project_id,
                       project_states.c.org_id == self._org_id)
                .with_for_update()
            )
        ).one()
        if before.as_of > as_of:
            return False
        await self._session.execute(
            update(project_states)
            .where(project_states.c.project_id == project_id,
                   project_states.c.org_id == self._org_id)
            .values(status=status, archived=archived, as_of=as_of)
        )
        return before.archived != archived

    async def allocation_spans(self, project_id: uuid.UUID) -> list[tuple[uuid.UUID, date, date]]:
        """(resource, first day, last day) of the allocations to the project, per resource."""
        rows = await self._session.execute(
            select(allocations.c.resource_id, func.min(allocations.c.start_date),
                   func.max(allocations.c.end_date))
            .where(allocations.c.org_id == self._org_id, allocations.c.project_id == project_id)
            .group_by(allocations.c.resource_id)
            .order_by(allocations.c.resource_id)
        )
        return [(row[0], row[1], row[2]) for row in rows]
