"""Forecasting's unit of work: the platform one plus the read model's repositories, each bound
to the scope's org."""

from __future__ import annotations

from collections.abc import Callable

from labs_common.db.uow import Scope, UnitOfWork
from labs_forecasting.adapters import alerts_repository as ar
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
    members: ar.SqlMembers
    subscriptions: ar.SqlAlertSubscriptions
    alerts: ar.SqlAlerts
    alert_states: ar.SqlAlertStates

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
        "members": ar.SqlMembers,
        "subscriptions": ar.SqlAlertSubscriptions,
        "alerts": ar.SqlAlerts,
        "alert_states": ar.SqlAlertStates,
    }


UowFactory = Callable[[Scope], ForecastingUnitOfWork]
