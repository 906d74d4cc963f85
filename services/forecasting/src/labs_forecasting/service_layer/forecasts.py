"""A project's forecast: worked out from the read model (domain/forecast.py for the math,
adapters/forecast_models.py for the band's model), kept in `forecasts` with the fitted model in
its `model` JSON, and announced as `project.forecast_updated`.

When: every margin change (projection.announce_margin) is recorded by the unit of work and, once
its transaction committed, handed to `Debouncer.mark`; the debouncer refreshes each project at
most DEBOUNCE_SECONDS later, a burst of changes coalesced into one refresh, each in its own
transaction. A lost schedule (a replica stopped) is healed by `refresh_stale`, a sweep that
refreshes every forecast older than STALE_AFTER (and every project without one).

The model is refitted (statsmodels: ETS vs ARIMA by backtest, in a process of its own) when the
stored one is older than REFIT_DAYS or missing, else its parameters are run over the current
series (warm). Risk: `labs_forecasting.domain.risk.assess` with what the forecast knows (margin,
trend, band, budget, dates); the team's over-allocation and overdue invoices are not passed yet
(they score 0 and say so).
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import structlog

from labs.forecasting.v1 import events_pb2
from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs_common.db.uow import Scope
from labs_common.errors import NotFound
from labs_common.zones import today_in
from labs_forecasting.adapters import forecast_models as fm
from labs_forecasting.adapters import proto
from labs_forecasting.adapters.fit_process import FITS, FitFailed
from labs_forecasting.adapters.forecasts_repository import stale_forecasts
from labs_forecasting.domain import forecast as fc
from labs_forecasting.domain import risk as risk_model
from labs_forecasting.domain.model import TREND_DAYS, Organization, Project, Totals, margin_of
from labs_forecasting.service_layer import access, alerts
from labs_forecasting.service_layer.forecast_dashboard import project_risk_inputs
from labs_forecasting.service_layer.unit_of_work import (
    AFTER_COMMIT,
    ForecastingUnitOfWork,
    UowFactory,
)

log = structlog.get_logger(__name__)

DEBOUNCE_SECONDS = 0.2
# More projects than this waiting at once: their new models are fitted the cheap way.
FAST_BACKLOG = 10
REFIT_DAYS = 7
STALE_AFTER = timedelta(hours=24)
SWEEP_BATCH = 200
CHUNK = 50  # projects per transaction in the sweep
Uow = ForecastingUnitOfWork


@dataclass(frozen=True)
class Computed:
    values: dict[str, Any]  # the forecasts row's columns
    message: pb.Forecast


async def _refit(series: list[float]) -> fm.Fitted | None:
    """statsmodels' fit in its own process; the cheap one when that process cannot answer, so a
    refresh never fails for want of a model."""
    try:
        return await FITS.fit(series)
    except FitFailed as error:
        log.warning("forecasting.fit_failed", error=str(error))
        return fm.fast_ses(series)


class _RefitDue(Exception):
    """The model must be fitted afresh: the transaction is given up before it wrote anything,
    the fit runs outside it, and the refresh starts again with the model (refresh_one)."""

    def __init__(self, series: list[float]) -> None:
        super().__init__("a refit is due")
        self.series = series


async def _band_model(project: Project, stored: dict[str, Any] | None, series: list[float],
                      today: date, similar: list[dict[str, Any]], fast: bool = False,
                      ahead: fm.Fitted | None = None, defer: bool = False,
                      ) -> tuple[str, float, fm.Fitted | None, str | None]:
    """(method, relative sigma of the remaining work per unit horizon of the model, fitted,
    fitted_on) — the own series when long enough, else pooled from similar projects. A refit
    takes `ahead` (fitted before this transaction), else raises _RefitDue when `defer`, else
    fits here."""
    if len(series) < fc.MIN_HISTORY_DAYS:
        sigmas = [float(m["rel_sigma"]) for m in similar
                  if m.get("rel_sigma") and m.get("method") not in ("pooled", "default")]
        if sigmas:
            return "pooled", float(statistics.median(sigmas)), None, None
        return "default", fc.DEFAULT_REL_SIGMA, None, None
    fitted, fitted_on = None, None
    if stored and stored.get("fitted") and stored.get("fitted_on"):
        age = (today - date.fromisoformat(stored["fitted_on"])).days
        previous = fm.Fitted.from_json(stored["fitted"])
        if previous is not None and 0 <= age < REFIT_DAYS:
            fitted, fitted_on = fm.rewarm(previous, series), stored["fitted_on"]
    if fitted is None and fast:  # the bulk refresh: numpy SES, no statsmodels
        fitted, fitted_on = fm.fast_ses(series), today.isoformat()
    if fitted is None and ahead is not None:
        fitted, fitted_on = ahead, today.isoformat()
    if fitted is None and defer:
        raise _RefitDue(series)
    if fitted is None:
        fitted, fitted_on = await _refit(series), today.isoformat()
    if fitted is None:
        return "default", fc.DEFAULT_REL_SIGMA, None, None
    return fitted.method, -1.0, fitted, fitted_on


async def compute(uow: Uow, project: Project, org: Organization, today: date, *,
                  fast: bool = False, ahead: fm.Fitted | None = None,
                  defer: bool = False) -> Computed:
    """`fast`: a model that must be fitted afresh is fitted the cheap way (fm.fast_ses), as the
    sweep does for thousands of projects at once."""
    totals = (await uow.totals.of([project.id])).get(project.id)
    sums = totals[0] if totals else Totals()
    margin = margin_of(project, sums, today)
    allocations = await uow.forecasts.allocations_of(project.id)
    days = await uow.forecasts.daily_cost(project.id)
    series = fc.working_day_series(days, today)
    first = days[0][0] if days else None
    history = len(series)
    remaining, ratio = fc.labs_remaining(project, sums, allocations, today, first, history)
    point = fc.estimate(project, sums, remaining, ratio)
    stored_row = await uow.forecasts.get(project.id)
    stored = stored_row.model if stored_row is not None else None
    similar = (await uow.forecasts.similar_models(project.budget_type.value, project.id)
               if history < fc.MIN_HISTORY_DAYS else [])
    method, rel, fitted, fitted_on = await _band_model(project, stored, series, today, similar,
                                                      fast, ahead, defer)
    horizon = max(1, fc.horizon_days(project, allocations, today))
    if fitted is not None:
        rel = fc.relative_sigma(fitted.sum_sd(horizon),
                                fc.expected_sum(fitted.mean_daily(horizon), series, horizon))
    key = fc.calibration_key("pooled" if method == "default" else method,
                             project.budget_type.value)
    factor = fc.default_factor("pooled" if method == "default" else method,
                               project.budget_type.value)
    band = fc.band(project, sums, remaining, ratio, rel, factor)
    confidence = fc.confidence(rel, factor, history)
    before = await uow.daily.percent_on_or_before([project.id], today - timedelta(days=TREND_DAYS))
    # Every factor: the band's low end and the estimate beside what the dashboard reads (the
    # team's over-allocation, overdue invoices, the seniority mix for recommendations).
    inputs = await project_risk_inputs(uow, project, margin, before.get(project.id), today)
    risk = risk_model.assess(replace(inputs, forecast_low=band.low,
                                     estimate_at_completion=point.cost_at_completion))
    as_of = datetime.now(UTC)
    name = fc.method_name(method)
    model = {"method": method, "rel_sigma": rel, "horizon": horizon, "history_days": history,
             "burn_ratio": ratio, "fitted": fitted.as_json() if fitted else None,
             "fitted_on": fitted_on,
             "calibration": {"key": key, "factor": factor, "source": "bench default"}}
    values = {
        "as_of": as_of, "forecast_margin": point.margin_percent,
        "forecast_margin_dollar": point.margin_dollar, "forecast_low": band.low,
        "forecast_high": band.high, "forecast_confidence": confidence,
        "estimate_at_completion": point.cost_at_completion,
        "hours_at_completion": point.hours_at_completion, "method": name,
        "risk_score": risk.score,
        "risk_factors": [{"factor": f.factor, "contribution": str(f.contribution),
                          "detail": f.detail} for f in risk.factors],
        "recommendation": risk.recommendation,
        "recommendations": [{"action": r.action, "detail": r.detail, "impact": r.impact}
                            for r in risk.recommendations],
        "currency": project.currency, "model": fc.finite_json(model),
    }
    return Computed(values, message_of(project.id, values))


def _text(value: Decimal | None) -> str:
    return proto.number(value)


def message_of(project_id: uuid.UUID, values: dict[str, Any]) -> pb.Forecast:
    message = pb.Forecast(
        project_id=str(project_id), forecast_margin=_text(values["forecast_margin"]),
        forecast_margin_dollar=_text(values["forecast_margin_dollar"]),
        forecast_low=_text(values["forecast_low"]), forecast_high=_text(values["forecast_high"]),
        forecast_confidence=int(values["forecast_confidence"]),
        estimate_at_completion=_text(values["estimate_at_completion"]),
        hours_at_completion=_text(values["hours_at_completion"]), method=values["method"],
        risk_score=int(values["risk_score"]), recommendation=values["recommendation"],
        currency=values["currency"])
    message.as_of.FromDatetime(values["as_of"])
    for f in values["risk_factors"]:
        message.risk_factors.add(factor=f["factor"], contribution=str(f["contribution"]),
                                 detail=f["detail"])
    for r in values["recommendations"]:
        message.recommendations.add(action=r["action"], detail=r["detail"], impact=r["impact"])
    return message


def message_of_row(row: Any) -> pb.Forecast:
    return message_of(row.project_id, {name: getattr(row, name) for name in (
        "as_of", "forecast_margin", "forecast_margin_dollar", "forecast_low", "forecast_high",
        "forecast_confidence", "estimate_at_completion", "hours_at_completion", "method",
        "risk_score", "risk_factors", "recommendation", "recommendations", "currency")})


async def refresh(uow: Uow, project_id: uuid.UUID, *, fast: bool = False,
                  ahead: fm.Fitted | None = None, defer: bool = False) -> pb.Forecast | None:
    """Works the project's forecast out again, keeps it and announces it; None while
    forecasting has not heard of the project. `ahead` and `defer`: see _band_model."""
    project = await uow.projects.get(project_id)
    if project is None:
        return None
    org = await uow.organizations.get()
    computed = await compute(uow, project, org, today_in(org.timezone), fast=fast, ahead=ahead,
                             defer=defer)
    await uow.forecasts.put(project_id, **computed.values)
    # The alert rule on the forecast: risk_score.
    await alerts.forecast_changed(uow, project_id, risk_score=computed.values["risk_score"],
                                  forecast_margin=computed.values["forecast_margin"])
    await uow.outbox.add("project.forecast_updated", events_pb2.ForecastUpdated(
        project_id=str(project_id), forecast=computed.message), project_id=project_id)
    return computed.message


async def get_project_forecast(project_id: uuid.UUID, uow: Uow) -> pb.Forecast:
    """The stored forecast, or one worked out now (not stored: a read) when there is none."""
    org = await uow.organizations.get()
    access.require_financials(uow.caller, org)
    project = await uow.projects.get(project_id)
    if project is None:
        raise NotFound("No forecast for this project (yet).", reason="PROJECT_NOT_FOUND")
    row = await uow.forecasts.get(project_id)
    if row is not None:
        return message_of_row(row)
    return (await compute(uow, project, org, today_in(org.timezone))).message


async def refresh_one(uow_factory: UowFactory, org_id: uuid.UUID, project_id: uuid.UUID,
                      *, fast: bool = False) -> None:
    """In a transaction of its own. A model that must be fitted afresh (seconds, the first time
    statsmodels' process starts) is fitted between two transactions, the first given up, so
    no transaction stays open while it waits."""
    ahead = None
    for defer in (True, False):
        try:
            async with uow_factory(Scope(org_id=org_id)) as uow:
                await refresh(uow, project_id, fast=fast, ahead=ahead, defer=defer)
                await uow.commit()
            return
        except _RefitDue as due:
            ahead = await _refit(due.series)


async def refresh_stale(uow_factory: UowFactory) -> int:
    """The sweep: refreshes up to SWEEP_BATCH projects whose forecast is missing or older than
    STALE_AFTER (every org); answers how many."""
    async with uow_factory(Scope.of_system()) as uow:
        stale = await stale_forecasts(uow.session, datetime.now(UTC) - STALE_AFTER, SWEEP_BATCH)
    by_org: dict[uuid.UUID, list[uuid.UUID]] = {}
    for org_id, project_id in stale:
        by_org.setdefault(org_id, []).append(project_id)
    done = 0
    for org_id, project_ids in by_org.items():
        for start in range(0, len(project_ids), CHUNK):
            done += await refresh_many(uow_factory, org_id, project_ids[start:start + CHUNK],
                                       fast=True)
    return done


async def refresh_many(uow_factory: UowFactory, org_id: uuid.UUID,
                       project_ids: list[uuid.UUID], *, fast: bool = False) -> int:
    """Several projects of one org in one transaction (the sweep: fewer round trips), each
    under a savepoint so one that fails leaves the others; answers how many were refreshed."""
    done = 0
    async with uow_factory(Scope(org_id=org_id)) as uow:
        for project_id in project_ids:
            try:
                async with uow.session.begin_nested():
                    await refresh(uow, project_id, fast=fast)
                done += 1
            except Exception:
                log.exception("forecasting.forecast_refresh_failed", project_id=str(project_id))
        await uow.commit()
    return done


class Debouncer:
    """Per project: the first change schedules a refresh DEBOUNCE_SECONDS later; the changes
    until then join it (one refresh for a burst). Marked only after the change's transaction
    committed (ForecastingUnitOfWork's after-commit hook), refreshed in a transaction of its
    own, one at a time."""

    name = "forecasting.forecast_debouncer"

    def __init__(self, uow_factory: UowFactory, delay: float = DEBOUNCE_SECONDS) -> None:
        self._uow_factory = uow_factory
        self._delay = delay
        self._due: dict[tuple[uuid.UUID, uuid.UUID], float] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None

    def mark(self, org_id: uuid.UUID | None, project_ids: set[uuid.UUID]) -> None:
        if org_id is None:
            return
        deadline = time.monotonic() + self._delay
        for project_id in project_ids:
            self._due.setdefault((org_id, project_id), deadline)
        self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._due)

    def start(self) -> None:
        AFTER_COMMIT.append(self.mark)
        self._task = asyncio.create_task(self._refreshing(), name=self.name)

    async def close(self) -> None:
        with contextlib.suppress(ValueError):
            AFTER_COMMIT.remove(self.mark)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def run_due(self) -> int:
        now = time.monotonic()
        due = [key for key, at in self._due.items() if at <= now]
        for key in due:
            del self._due[key]
        # A burst (an import, a rebuild): cheap fits, so the last of them still lands soon.
        fast = len(due) + len(self._due) > FAST_BACKLOG
        for org_id, project_id in due:
            try:
                await refresh_one(self._uow_factory, org_id, project_id, fast=fast)
            except Exception:  # the sweep heals it
                log.exception("forecasting.forecast_refresh_failed", project_id=str(project_id))
        return len(due)

    async def _refreshing(self) -> None:
        while True:
            self._wake.clear()
            await self.run_due()
            if self._due:
                wait = max(0.0, min(self._due.values()) - time.monotonic())
            else:
                wait = None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)
