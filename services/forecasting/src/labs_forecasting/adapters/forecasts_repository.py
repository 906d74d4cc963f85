"""The forecasts table (one row per project, its fitted model state in `model` JSON) and what a
forecast reads besides the totals: the project's daily cost (entries and expenses by date) and
its allocations."""

from __future__ import annotations

import functools
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Select, bindparam, func, select, union_all
from sqlalchemy.dialects.postgresql import insert

from labs_common.db.repository import OrgScopedRepository
from labs_forecasting.adapters.orm import allocations, entries, expenses, forecasts, projects
from labs_forecasting.domain.forecast import Allocation

FORECAST_COLUMNS = (
    "as_of", "forecast_margin", "forecast_margin_dollar", "forecast_low", "forecast_high",
    "forecast_confidence", "estimate_at_completion", "hours_at_completion", "method",
    "risk_score", "risk_factors", "recommendation", "recommendations", "currency", "model")

# A forecast's refresh runs these for every project whose margin moved (a few times a second
# while hours are logged): built once, run with parameters.
_ORG, _PROJECT = bindparam("p_org"), bindparam("p_project")
_FORECAST = select(forecasts).where(forecasts.c.org_id == _ORG,
                                    forecasts.c.project_id == _PROJECT)
_PUT_FORECAST = insert(forecasts).values(
    org_id=_ORG, project_id=_PROJECT, **{n: bindparam(f"p_{n}") for n in FORECAST_COLUMNS})
_PUT_FORECAST = _PUT_FORECAST.on_conflict_do_update(
    index_elements=[forecasts.c.project_id],
    set_={n: _PUT_FORECAST.excluded[n] for n in FORECAST_COLUMNS})
_labor = select(entries.c.date_worked.label("day"),
                (entries.c.hours * func.coalesce(entries.c.cost_rate, 0)).label("cost")
                ).where(entries.c.org_id == _ORG, entries.c.project_id == _PROJECT,
                        entries.c.counted)
_spent = select(expenses.c.expense_date.label("day"), expenses.c.amount.label("cost")
                ).where(expenses.c.org_id == _ORG, expenses.c.project_id == _PROJECT,
                        expenses.c.counted)
_both = union_all(_labor, _spent).subquery()
_DAILY_COST = select(_both.c.day, func.sum(_both.c.cost)).group_by(_both.c.day).order_by(
    _both.c.day)
_ALLOCATIONS = select(allocations).where(allocations.c.org_id == _ORG,
                                         allocations.c.project_id == _PROJECT,
                                         allocations.c.counted)


@functools.cache
def _similar_models(limit: int) -> Select:
    return (select(forecasts.c.model)
            .select_from(forecasts.join(projects, (projects.c.id == forecasts.c.project_id)
                                        & (projects.c.org_id == _ORG)))
            .where(forecasts.c.org_id == _ORG, projects.c.budget_type == bindparam("p_type"),
                   forecasts.c.project_id != bindparam("p_exclude"))
            .order_by(forecasts.c.as_of.desc()).limit(limit))


class SqlForecasts(OrgScopedRepository):
    table = forecasts

    def _of(self, project_id: uuid.UUID) -> dict[str, uuid.UUID | None]:
        return {"p_org": self._org_id, "p_project": project_id}

    async def get(self, project_id: uuid.UUID) -> Row | None:
        return (await self._session.execute(_FORECAST, self._of(project_id))).first()

    async def put(self, project_id: uuid.UUID, **values: Any) -> None:
        await self._session.execute(_PUT_FORECAST, {
            **self._of(project_id), **{f"p_{n}": values[n] for n in FORECAST_COLUMNS}})

    async def similar_models(self, budget_type: str, exclude: uuid.UUID, limit: int = 200
                             ) -> list[dict[str, Any]]:
        """The stored model JSON of the org's forecasts of projects of the same budget type
        (the pooled band of a young project), the latest first."""
        rows = (await self._session.execute(_similar_models(limit), {
            "p_org": self._org_id, "p_type": budget_type, "p_exclude": exclude})).all()
        return [r.model for r in rows]

    async def daily_cost(self, project_id: uuid.UUID) -> list[tuple[date, Decimal]]:
        """Cost per day worked (labor at each entry's cost rate, plus expenses), by date."""
        rows = (await self._session.execute(_DAILY_COST, self._of(project_id))).all()
        return [(d, Decimal(c)) for d, c in rows]

    async def allocations_of(self, project_id: uuid.UUID) -> list[Allocation]:
        rows = (await self._session.execute(_ALLOCATIONS, self._of(project_id))).all()
        return [Allocation(hours_per_week=r.allocated_hours, start_date=r.start_date,
                           end_date=r.end_date, tentative=r.tentative,
                           billing_rate=r.billing_rate, cost_rate=r.cost_rate)
                for r in rows]


async def stale_forecasts(session, before: datetime, limit: int
                          ) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(org, project) of live projects without a forecast, or with one older than `before`
    (system scope: every org), oldest first."""
    query = (select(projects.c.org_id, projects.c.id)
             .select_from(projects.outerjoin(forecasts, forecasts.c.project_id == projects.c.id))
             .where(projects.c.status != "archived",
                    (forecasts.c.as_of.is_(None)) | (forecasts.c.as_of < before))
             .order_by(forecasts.c.as_of.asc().nulls_first()).limit(limit))
    return [(r.org_id, r.id) for r in (await session.execute(query)).all()]
