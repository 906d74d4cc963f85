"""Which resource-weeks are over-allocated right now (so each crossing is announced once)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select, tuple_
from sqlalchemy.dialects.postgresql import insert

from labs_capacity.adapters.orm import over_allocations
from labs_common.db.repository import OrgScopedRepository


class SqlAlchemyOverAllocationState(OrgScopedRepository):
    async def flagged(
        self, resource_ids: list[uuid.UUID] | None, first: date, last: date
    ) -> set[tuple[uuid.UUID, date]]:
        query = select(over_allocations.c.resource_id, over_allocations.c.week_start).where(
            over_allocations.c.org_id == self._org_id,
            over_allocations.c.week_start.between(first, last),
        )
        if resource_ids is not None:
            query = query.where(over_allocations.c.resource_id.in_(resource_ids))
        # Locks the flags so two concurrent changes cannot both announce the same crossing.
        rows = (await self._session.execute(query.with_for_update())).all()
        return {(row.resource_id, row.week_start) for row in rows}

    async def flag(
        self, resource_id: uuid.UUID, week: date, available: Decimal, allocated: Decimal
    ) -> bool:
        """True when this call set the flag (it was not set before)."""
        statement = insert(over_allocations).values(
            org_id=self._org_id,
            resource_id=resource_id,
            week_start=week,
            available_hours=available,
            allocated_hours=allocated,
        )
        result = await self._session.execute(
            statement.on_conflict_do_nothing().returning(over_allocations.c.week_start)
        )
        return result.first() is not None

    async def clear(self, keys: list[tuple[uuid.UUID, date]]) -> None:
        if keys:
            await self._session.execute(
                delete(over_allocations).where(
                    over_allocations.c.org_id == self._org_id,
                    tuple_(over_allocations.c.resource_id, over_allocations.c.week_start).in_(keys),
                )
            )
