"""A resource's time off."""

from __future__ import annotations

import uuid
from datetime import date

from labs_capacity.adapters.orm import time_off
from labs_capacity.domain.model import TimeOff
from labs_common.db.repository import OrgScopedRepository, from_row


class SqlAlchemyTimeOffRepository(OrgScopedRepository):
    table = time_off

    async def add(self, entry: TimeOff) -> TimeOff:
        entry.created_at = (await self._add(entry)).created_at
        return entry

    async def list(
        self, resource_id: uuid.UUID, after: tuple[date, uuid.UUID] | None, limit: int
    ) -> list[TimeOff]:
        rows = await self._page(
            self._select(time_off.c.resource_id == resource_id),
            (time_off.c.start_date, time_off.c.id),
            after,
            limit,
        )
        return [from_row(TimeOff, row) for row in rows]
