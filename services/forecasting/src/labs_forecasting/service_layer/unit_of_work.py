"""Forecasting's unit of work: the platform one plus the read model's repositories, each bound
to the scope's org."""

from __future__ import annotations

from collections.abc import Callable

from labs_common.db.uow import Scope, UnitOfWork
from labs_forecasting.adapters import read_model as rm


class ForecastingUnitOfWork(UnitOfWork):
    projects: rm.SqlProjects
    entries: rm.SqlEntries
    expenses: rm.SqlExpenses
    totals: rm.SqlTotals
    daily: rm.SqlDailyMargins
    resources: rm.SqlResources
    rates: rm.SqlRates
    allocations: rm.SqlAllocations
    invoices: rm.SqlInvoices
    organizations: rm.SqlOrganizations

    repositories = {
        "projects": rm.SqlProjects,
        "entries": rm.SqlEntries,
        "expenses": rm.SqlExpenses,
        "totals": rm.SqlTotals,
        "daily": rm.SqlDailyMargins,
        "resources": rm.SqlResources,
        "rates": rm.SqlRates,
        "allocations": rm.SqlAllocations,
        "invoices": rm.SqlInvoices,
        "organizations": rm.SqlOrganizations,
    }


UowFactory = Callable[[Scope], ForecastingUnitOfWork]
