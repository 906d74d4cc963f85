"""Allocations: a resource's hours a week on a project over a span of days."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import delete, func, select

from labs_capacity.adapters.orm import allocations, resources
from labs_capacity.domain.model import Allocation, ProjectAllocation
from labs_common.db.repository import OrgScopedRepository, from_row


def _changeable(allocation: Allocation) -> dict:
    """The columns an allocation's owner sets (on insert and on every update)."""
    return {
        "resource_id": allocation.resource_id,
        "project_id": allocation.project_id,
        "allocated_hours": allocation.allocated_hours,
        "start_date": allocation.start_date,
        "end_date": allocation.end_date,
        "tentative": allocation.tentative,
    }


class SqlAlchemyAllocationRepository(OrgScopedRepository):
    table = allocations

    async def get(self, allocation_id: uuid.UUID, *, lock: bool = False) -> Allocation | None:
        row = await self._row(allocation_id, lock=lock)
        return from_row(Allocation, row) if row else None

    async def add(self, allocation: Allocation) -> Allocation:
        row = await self._insert(
            id=allocation.id, org_id=allocation.org_id, **_changeable(allocation)
        )
        allocation.created_at, allocation.updated_at = row.created_at, row.updated_at
        return allocation

    async def save(self, allocation: Allocation) -> Allocation:
        allocation.updated_at = await self._update(allocation.id, **_changeable(allocation))
        return allocation

    async def delete(self, allocation_id: uuid.UUID) -> None:
        await self._session.execute(
            delete(allocations).where(
                allocations.c.org_id == self._org_id, allocations.c.id == allocation_id
            )
        )

    async def of_resource(self, resource_id: uuid.UUID, start: date, end: date):
        """The resource's allocations with at least one day in [start, end]."""
        rows = (
            await self._session.execute(
                self._select(
                    allocations.c.resource_id == resource_id,
                    allocations.c.start_date <= end,
                    allocations.c.end_date >= start,
                ).order_by(allocations.c.start_date, allocations.c.id)
            )
        ).all()
        return [from_row(Allocation, row) for row in rows]

    async def of_projects(self, project_ids: list[uuid.UUID]) -> list[ProjectAllocation]:
        """Every allocation to the projects with its resource's name, in one query: by start
        date, then name."""
        rows = (
            await self._session.execute(
                select(*allocations.c, resources.c.name.label("resource_name"))
                .join(
                    resources,
                    (resources.c.id == allocations.c.resource_id)
                    & (resources.c.org_id == allocations.c.org_id),
                )
                .where(allocations.c.org_id == self._org_id,
                       allocations.c.project_id.in_(project_ids))
                .order_by(allocations.c.start_date, resources.c.name, allocations.c.id)
            )
        ).all()
        return [ProjectAllocation(from_row(Allocation, row), row.resource_name) for row in rows]

    async def date_span(self, resource_id: uuid.UUID) -> tuple[date, date] | None:
        row = (
            await self._session.execute(
                select(func.min(allocations.c.start_date), func.max(allocations.c.end_date)).where(
                    allocations.c.org_id == self._org_id,
                    allocations.c.resource_id == resource_id,
                )
            )
        ).one()
        return (row[0], row[1]) if row[0] else None
