"""The org's holidays (at most one a day)."""

from __future__ import annotations

import uuid
from datetime import date

from labs_capacity.adapters.orm import holidays
from labs_capacity.domain.model import Holiday
from labs_common.db.repository import OrgScopedRepository, from_row


class SqlAlchemyHolidayRepository(OrgScopedRepository):
    table = holidays

    async def add(self, holiday: Holiday) -> Holiday | None:
        """None when the org already has a holiday that day."""
        row = await self._add(holiday, if_absent=True)
        if row is None:
            return None
        holiday.created_at = row.created_at
        return holiday

    async def list(self, after: tuple[date, uuid.UUID] | None, limit: int) -> list[Holiday]:
        rows = await self._page(self._select(), (holidays.c.date, holidays.c.id), after, limit)
        return [from_row(Holiday, row) for row in rows]
