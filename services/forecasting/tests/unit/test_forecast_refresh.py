"""service_layer/forecasts.py without I/O: a refresh against an in-memory read model (its own
small fakes: the forecasts repository is new), the stored row, the event, the warm refit rule,
and the debouncer's coalescing."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from forecasting_fakes import until

from labs.forecasting.v1 import events_pb2
from labs_forecasting.adapters import forecast_models as fm
from labs_forecasting.domain import forecast as fc
from labs_forecasting.domain.model import BudgetType, Organization, Project, Totals
from labs_forecasting.service_layer import forecasts

ORG = uuid.uuid4()
TODAY = date.today()


class Bag:
    def __init__(self, **methods: Any) -> None:
        for name, value in methods.items():
            setattr(self, name, value)


def fake_uow(project: Project, totals: Totals, days: list[tuple[date, Decimal]],
             allocations: list[fc.Allocation]):
    stored: dict[uuid.UUID, Any] = {}
    events: list[tuple[str, Any]] = []

    async def project_get(pid):
        return project if pid == project.id else None

    async def org_get():
        return Organization(id=ORG)

    async def totals_of(ids):
        return {project.id: (totals, None)} if project.id in ids else {}

    async def percent_before(ids, day):
        return {}

    async def forecast_get(pid):
        values = stored.get(pid)
        return None if values is None else Bag(project_id=pid, **values)

    async def forecast_put(pid, **values):
        stored[pid] = values

    async def similar(budget_type, exclude, limit=200):
        return [{"method": "ets", "rel_sigma": 0.1}, {"method": "arima", "rel_sigma": 0.3}]

    async def daily_cost(pid):
        return days

    async def allocations_of(pid):
        return allocations

    async def outbox_add(event_type, payload, **kwargs):
        events.append((event_type, payload))

    async def enabled_for(alert_types, project_ids):
        return []  # no one subscribed: the alert rules have nothing to judge

    async def nobody():
        return []

    async def none_between(first, last):
        return []

    async def rate_levels(today):
        return []

    async def overdue_by_project(today):
        return {}

    uow = Bag(projects=Bag(get=project_get), organizations=Bag(get=org_get),
              resources=Bag(staff=nobody, rate_levels=rate_levels),
              allocations=Bag(bookings_between=none_between),
              invoices=Bag(overdue_by_project=overdue_by_project),
              totals=Bag(of=totals_of), daily=Bag(percent_on_or_before=percent_before),
              forecasts=Bag(get=forecast_get, put=forecast_put, similar_models=similar,
                            daily_cost=daily_cost, allocations_of=allocations_of),
              outbox=Bag(add=outbox_add), subscriptions=Bag(enabled_for=enabled_for),
              caller=None)
    return uow, stored, events


def history(n_days: int, per_day: float, seed: int = 1) -> list[tuple[date, Decimal]]:
    rng = random.Random(seed)
    start = TODAY - timedelta(days=n_days)
    return [(start + timedelta(days=i), Decimal(str(round(per_day * rng.uniform(0.6, 1.4), 2))))
            for i in range(n_days) if (start + timedelta(days=i)).weekday() < 5]


def fixed_fee_project(**values) -> Project:
    return Project(id=uuid.uuid4(), org_id=ORG, name="Site", budget_type=BudgetType.FIXED_FEE,
                   budget_total=Decimal("60000"), start_date=TODAY - timedelta(days=60),
                   end_date=TODAY + timedelta(days=40), **values)


def allocation() -> fc.Allocation:
    return fc.Allocation(Decimal("40"), TODAY - timedelta(days=60), TODAY + timedelta(days=40),
                         billing_rate=Decimal("150"), cost_rate=Decimal("60"))


@pytest.mark.asyncio
async def test_refresh_stores_the_forecast_and_announces_it():
    project = fixed_fee_project()
    days = history(60, 480)
    cost = sum((c for _, c in days), Decimal("0"))
    totals = Totals(hours_logged=cost / 60, labor_cost=cost)
    uow, stored, events = fake_uow(project, totals, days, [allocation()])
    message = await forecasts.refresh(uow, project.id)
    row = stored[project.id]
    assert row["method"] in ("ets+allocations", "arima+allocations")
    assert row["forecast_low"] <= row["forecast_margin"] <= row["forecast_high"]
    assert 0 <= row["forecast_confidence"] <= 100
    assert 1 <= row["risk_score"] <= 10
    assert row["model"]["fitted"] is not None and row["model"]["calibration"]["factor"] > 0
    assert row["estimate_at_completion"] > cost
    ((event_type, payload),) = events
    assert event_type == "project.forecast_updated"
    assert isinstance(payload, events_pb2.ForecastUpdated)
    assert payload.forecast.forecast_margin == str(row["forecast_margin"])
    assert message.project_id == str(project.id)


@pytest.mark.asyncio
async def test_a_young_project_gets_the_pooled_band_of_its_peers():
    project = fixed_fee_project()
    days = history(8, 480)
    cost = sum((c for _, c in days), Decimal("0"))
    uow, stored, _ = fake_uow(project, Totals(labor_cost=cost), days, [allocation()])
    await forecasts.refresh(uow, project.id)
    row = stored[project.id]
    assert row["method"] == "pooled+allocations"
    assert row["model"]["rel_sigma"] == pytest.approx(0.2)  # median of 0.1 and 0.3


@pytest.mark.asyncio
async def test_a_stored_model_is_reused_warm_within_the_refit_days(monkeypatch):
    project = fixed_fee_project()
    days = history(60, 480)
    uow, stored, _ = fake_uow(project, Totals(labor_cost=Decimal("10000")), days, [allocation()])
    await forecasts.refresh(uow, project.id)
    fits = []
    async def refit(series):
        fits.append(series)
    monkeypatch.setattr(forecasts, "_refit", refit)
    await forecasts.refresh(uow, project.id)
    assert fits == []  # warm: the stored parameters, no refit
    assert stored[project.id]["model"]["fitted_on"] == TODAY.isoformat()


class Transactions:
    """A unit-of-work factory over the fake: counts what is open, opened and committed."""

    def __init__(self, uow) -> None:
        self.uow, self.open, self.opened, self.committed = uow, 0, 0, 0

        async def commit():
            self.committed += 1
        uow.commit = commit

    def __call__(self, scope):
        transactions = self

        class _Transaction:
            async def __aenter__(self):
                transactions.open += 1
                transactions.opened += 1
                return transactions.uow

            async def __aexit__(self, *exc_info):
                transactions.open -= 1
        return _Transaction()


async def test_a_refit_runs_between_transactions_never_inside_one(monkeypatch):
    project = fixed_fee_project()
    uow, stored, events = fake_uow(project, Totals(labor_cost=Decimal("10000")),
                                   history(60, 480), [allocation()])
    transactions = Transactions(uow)
    open_during_fits = []

    async def refit(series):
        open_during_fits.append(transactions.open)
        return fm.fast_ses(series)
    monkeypatch.setattr(forecasts, "_refit", refit)

    await forecasts.refresh_one(transactions, ORG, project.id)
    assert open_during_fits == [0]
    assert (transactions.opened, transactions.committed) == (2, 1)  # the first given up
    assert stored[project.id]["model"]["fitted"]["method"] == "ses-fast"
    assert [kind for kind, _ in events] == ["project.forecast_updated"]

    # The model is fresh now: warmed in one transaction, no fit.
    await forecasts.refresh_one(transactions, ORG, project.id)
    assert open_during_fits == [0] and (transactions.opened, transactions.committed) == (3, 2)


@pytest.mark.asyncio
async def test_unknown_project_has_no_forecast():
    project = fixed_fee_project()
    uow, stored, events = fake_uow(project, Totals(), [], [])
    assert await forecasts.refresh(uow, uuid.uuid4()) is None
    assert not stored and not events


async def test_the_debouncer_coalesces_a_burst_into_one_refresh(monkeypatch):
    refreshed: list[uuid.UUID] = []

    async def refresh_one(factory, org_id, project_id, **kwargs):
        if org_id == ORG:  # a service another test runs in this process refreshes its own
            refreshed.append(project_id)
    monkeypatch.setattr(forecasts, "refresh_one", refresh_one)
    debouncer = forecasts.Debouncer(lambda scope: None, delay=0.05)
    a, b = uuid.uuid4(), uuid.uuid4()
    debouncer.start()
    try:
        for _ in range(20):
            debouncer.mark(ORG, {a})
        debouncer.mark(ORG, {b})
        debouncer.mark(None, {a})  # no org: nothing to refresh
        await until(lambda: len(refreshed) >= 2)
        assert sorted(refreshed) == sorted([a, b])  # twenty marks of a: one refresh
        debouncer.mark(ORG, {a})
        await until(lambda: refreshed.count(a) == 2)
        assert sorted(refreshed) == sorted([a, a, b])
    finally:
        await debouncer.close()
    assert debouncer.mark not in forecasts.AFTER_COMMIT
