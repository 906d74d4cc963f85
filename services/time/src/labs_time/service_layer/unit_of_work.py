"""Time's unit of work: the platform one plus time's repositories."""

from __future__ import annotations

from labs_common.db.uow import UnitOfWork
from labs_time.adapters.repository import (
    SqlAlchemyExpenseRepository,
    SqlAlchemyTimeEntryRepository,
)


class TimeUnitOfWork(UnitOfWork):
    def _start(self) -> None:
        self.entries = SqlAlchemyTimeEntryRepository(self.session, self.scope.org_id)
        self.expenses = SqlAlchemyExpenseRepository(self.session, self.scope.org_id)
