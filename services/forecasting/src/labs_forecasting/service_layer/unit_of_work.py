"""Forecasting's unit of work: the platform one plus the read model's repositories, each bound
to the scope's org."""

from __future__ import annotations

from collections.abc import Callable

from labs_common.db.uow import Scope, UnitOfWork
from labs_forecasting.adapters import alerts_repository as ar
from labs_forecasting.adapters import forecasts_repository as fr
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
    forecasts: fr.SqlForecasts

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
        "forecasts": fr.SqlForecasts,
    }

    def _start(self) -> None:
        super()._start()
        # The projects whose margin (or allocations) this transaction changed: once it commits,
        # each hook (the forecast debouncer, main.py) hears (org, project ids), never inside it.
        self.margins_changed: set = set()
        add = self.outbox.add

        async def recording_add(event_type, payload, **kwargs):
            if event_type == "project.margin_updated" and kwargs.get("project_id"):
                self.margins_changed.add(kwargs["project_id"])
            return await add(event_type, payload, **kwargs)
        self.outbox.add = recording_add  # type: ignore[method-assign]
        put_allocation = self.allocations.put_newer

        async def recording_put(row_id, as_of, **values):
            # An allocation moves the forecast, not the margin: heard here as well.
            changed = await put_allocation(row_id, as_of, **values)
            if changed and values.get("project_id"):
                self.margins_changed.add(values["project_id"])
            return changed
        self.allocations.put_newer = recording_put  # type: ignore[method-assign]

    async def commit(self) -> None:
        await super().commit()
        if self.margins_changed:
            changed, self.margins_changed = self.margins_changed, set()
            for hook in AFTER_COMMIT:
                hook(self.scope.org_id, changed)


# Called with (org_id, project ids whose margin changed) after each commit that changed any.
AFTER_COMMIT: list[Callable] = []


UowFactory = Callable[[Scope], ForecastingUnitOfWork]
