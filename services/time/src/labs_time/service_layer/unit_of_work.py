"""Time's unit of work: the platform one plus time's repositories and its read models."""

from __future__ import annotations

from collections.abc import Callable

from labs_common.db.uow import Scope, UnitOfWork
from labs_time.adapters.read_models import (
    SqlKnownOrganizations,
    SqlKnownProjects,
    SqlKnownResources,
)
from labs_time.adapters.repository import (
    SqlAlchemyExpenseRepository,
    SqlAlchemyTimeEntryRepository,
)


class TimeUnitOfWork(UnitOfWork):
    repositories = {
        "entries": SqlAlchemyTimeEntryRepository,
        "expenses": SqlAlchemyExpenseRepository,
        # Read models of other services' data (service_layer/known.py).
        "known_organizations": SqlKnownOrganizations,
        "known_projects": SqlKnownProjects,
        "known_resources": SqlKnownResources,
    }


# How entrypoints and the import worker open a unit of work for a scope.
UowFactory = Callable[[Scope], TimeUnitOfWork]
