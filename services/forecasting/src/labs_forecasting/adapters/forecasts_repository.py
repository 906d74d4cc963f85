"""The forecasts table (one row per project, its fitted model state in `model` JSON) and what a
forecast reads besides the totals: the project's daily cost (entries and expenses by date) and
its allocations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, func, select, union_all
from sqlalchemy.dialects.postgresql import insert

from labs_common.db.repository import OrgScopedRepository
from labs_forecasting.adapters.orm import allocations, entries, expenses, forecasts, projects
from labs_forecasting.domain.forecast import Allocation

FORECAST_COLUMNS = (
    "as_of", "forecast_margin", "forecast_margin_dollar", "forecast_low", "forecast_high",
    "forecast_confidence", "estimate_at_completion", "hours_at_completion", "method",
    "risk_score", "risk_factors", "recommendation", "recommendations", "currency", "model")


class SqlForecasts(OrgScopedRepository):
    table = forecasts

    async def get(self, project_id: uuid.UUID) -> Row | None:
        return (await self._session.execute(select(forecasts).where(
            forecasts.c.org_id == self._org_id,
            forecasts.c.project_id == project_id))).first()

    async def put(self, project_id: uuid.UUID, **values: Any) -> None:
        values = {name: values[name] for name in FORECAST_COLUMNS}
        statement = insert(forecasts).values(org_id=self._org_id, project_id=project_id,
                                             **values)
        await self._session.execute(statement.on_conflict_do_update(
            index_elements=[forecasts.c.project_id], set_=values))

    async def similar_models(self, budget_type: str, exclude: uuid.UUID, limit: int = 200
                             ) -> list[dict[str, Any]]:
        """The stored model JSON of the org's forecasts of projects of the same budget type
        (the pooled band of a young project), the latest first."""
        query = (select(forecasts.c.model)
                 .select_from(forecasts.join(projects, (projects.c.id == forecasts.c.project_id)
                                             & (projects.c.org_id == self._org_id)))
                 .where(forecasts.c.org_id == self._org_id,
                        projects.c.budget_type == budget_type,
                        forecasts.c.project_id != exclude)
                 .order_by(forecasts.c.as_of.desc()).limit(limit))
        return [r.model for r in (await self._session.execute(query)).all()]

    async def daily_cost(self, project_id: uuid.UUID) -> list[tuple[date, Decimal]]:
        """Cost per day worked (labor at each entry's cost rate, plus expenses), by date."""
        labor = select(entries.c.date_worked.label("day"),
                       (entries.c.hours * func.coalesce(entries.c.cost_rate, 0)).label("cost")
                       ).where(entries.c.org_id == self._org_id,
                               entries.c.project_id == project_id, entries.c.counted)
        spent = select(expenses.c.expense_date.label("day"), expenses.c.amount.label("cost")
                       ).where(expenses.c.org_id == self._org_id,
                               expenses.c.project_id == project_id, expenses.c.counted)
        both = union_all(labor, spent).subquery()
        query = (select(both.c.day, func.sum(both.c.cost)).group_by(both.c.day)
                 .order_by(both.c.day))
        return [(d, Decimal(c)) for d, c in (await self._session.execute(query)).all()]

    async def allocations_of(self, project_id: uuid.UUID) -> list[Allocation]:
        query = select(allocations).where(allocations.c.org_id == self._org_id,
                                          allocations.c.project_id == project_id,
                                          allocations.c.counted)
        return [Allocation(hours_per_week=r.allocated_hours, start_date=r.start_date,
                           end_date=r.end_date, tentative=r.tentative,
                           billing_rate=r.billing_rate, cost_rate=r.cost_rate)
                for r in (await self._session.execute(query)).all()]


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
