"""Time's unit of work: the platform one plus time's repositories."""

from __future__ import annotations

from collections.abc import Callable

from labs_common.db.uow import Scope, UnitOfWork
from labs_time.adapters.repository import (
    SqlAlchemyExpenseRepository,
    SqlAlchemyTimeEntryRepository,
)


class TimeUnitOfWork(UnitOfWork):
    repositories = {
        "entries": SqlAlchemyTimeEntryRepository,
        "expenses": SqlAlchemyExpenseRepository,
    }


# How entrypoints and the import worker open a unit of work for a scope.
UowFactory = Callable[[Scope], TimeUnitOfWork]
