"""The forecast dashboard (GET /dashboards/forecast): the active projects at risk and the
resource gaps of the next 12 weeks, from the read model alone.

- **Projects at risk** are the active projects whose risk score is 5 or more, or whose band's low
  end is under the margin threshold (20 %: the organization has no setting of its own yet),
  highest score first, then lowest band, then name. A project's score, band and recommendation
  are the forecast engine's row in `forecasts` when it has one; else its risk is assessed here
  from what the read model holds (domain/risk.py): budget burn against the schedule, the margin
  and its 7-day trend (the current margin stands in for the band), the team's over-allocation
  (allocations against capacity over the coming weeks), overdue invoices and days remaining.
- **Resource gaps**: by seniority level over the next 12 weeks from every counted allocation,
  tentative ones included (domain/gaps.py).

For the manager role and up, or down to the organization's `financials_visible_to`.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from labs_common.zones import today_in
from labs_forecasting.domain import commands
from labs_forecasting.domain.gaps import (
    Booking,
    ResourceGap,
    Staff,
    hours_in_week,
    over_allocated,
    resource_gaps,
    weeks_from,
)
from labs_forecasting.domain.model import TREND_DAYS, ZERO, Margin, Project, margin_of
from labs_forecasting.domain.risk import (
    DEFAULT_MARGIN_THRESHOLD,
    OverdueInvoice,
    RateLevel,
    RiskInputs,
    assess,
)
from labs_forecasting.service_layer import access
from labs_forecasting.service_layer.unit_of_work import ForecastingUnitOfWork

AT_RISK_SCORE = 5


@dataclass(frozen=True)
class ProjectAtRisk:
    id: uuid.UUID
    name: str
    current_margin: Decimal | None
    forecast_margin: Decimal | None
    forecast_low: Decimal | None
    forecast_high: Decimal | None
    risk_score: int
    days_remaining: int | None
    recommendation: str


@dataclass(frozen=True)
class ForecastDashboard:
    projects_at_risk: list[ProjectAtRisk]
    resource_gaps: list[ResourceGap]


def weekly_hours_by_level(bookings: list[Booking], staff: dict[uuid.UUID, Staff],
                          mondays: list[date]) -> dict[str, Decimal]:
    """A project's booked hours per week by seniority level, averaged over the coming weeks it
    has any booking in."""
    by_week: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * len(mondays))
    for booking in bookings:
        person = staff.get(booking.resource_id)
        if person is None:
            continue
        for i, monday in enumerate(mondays):
            by_week[person.seniority_level][i] += hours_in_week(booking, monday)
    busy = {i for hours in by_week.values() for i, h in enumerate(hours) if h > 0}
    if not busy:
        return {}
    return {level: sum(hours, ZERO) / len(busy) for level, hours in by_week.items()}


def risk_inputs(project: Project, margin: Margin, before: Decimal | None, today: date, *,
                bookings: list[Booking], staff: dict[uuid.UUID, Staff],
                over: set[uuid.UUID], levels: list[RateLevel],
                overdue: list[tuple[uuid.UUID, Decimal, date, str]], mondays: list[date],
                threshold: Decimal = DEFAULT_MARGIN_THRESHOLD) -> RiskInputs:
    """What the read model knows of a project, as `assess` reads it (no band: no forecast)."""
    team = {b.resource_id for b in bookings}
    return RiskInputs(
        project_id=project.id, today=today, start_date=project.start_date,
        end_date=project.end_date, budget_type=project.budget_type.value,
        budget_used_percent=margin.budget_used_percent, margin_percent=margin.margin_percent,
        margin_percent_7d_ago=before, forecast_low=None, margin_threshold=threshold,
        over_allocated=tuple(sorted(team & over)), team_size=len(team),
        overdue_invoices=tuple(
            OverdueInvoice(amount=owed, due_date=due, days_overdue=(today - due).days,
                           id=invoice_id)
            for invoice_id, owed, due, _ in overdue),
        days_remaining=margin.days_remaining, revenue=margin.revenue, cost=margin.cost,
        hours_logged=margin.hours_logged,
        weekly_hours_by_level=weekly_hours_by_level(bookings, staff, mondays),
        rate_levels=tuple(levels), currency=project.currency)


async def project_risk_inputs(uow: ForecastingUnitOfWork, project: Project, margin: Margin,
                              before: Decimal | None, today: date) -> RiskInputs:
    """`risk_inputs` of one project, read from the read model: its team's bookings of the next
    weeks and who of them is over-allocated, the org's rate levels, its overdue invoices."""
    staff_list = await uow.resources.staff()
    mondays = weeks_from(today)
    bookings = await uow.allocations.bookings_between(mondays[0], mondays[-1] + timedelta(days=6))
    over = over_allocated(bookings, staff_list, today)
    overdue = await uow.invoices.overdue_by_project(today)
    return risk_inputs(
        project, margin, before, today,
        bookings=[b for b in bookings if b.project_id == project.id],
        staff={s.id: s for s in staff_list}, over=over,
        levels=await uow.resources.rate_levels(today), overdue=overdue.get(project.id, []),
        mondays=mondays)


def is_at_risk(row: ProjectAtRisk, threshold: Decimal = DEFAULT_MARGIN_THRESHOLD) -> bool:
    return row.risk_score >= AT_RISK_SCORE or (
        row.forecast_low is not None and row.forecast_low < threshold)


def _order(row: ProjectAtRisk):
    low = row.forecast_low if row.forecast_low is not None else Decimal("Infinity")
    return (-row.risk_score, low, row.name.lower(), str(row.id))


def _optional(value) -> Decimal | None:
    return None if value is None else Decimal(value)


async def get_forecast_dashboard(command: commands.GetForecastDashboard,
                                 uow: ForecastingUnitOfWork) -> ForecastDashboard:
    org = await uow.organizations.get()
    access.require_financials(uow.caller, org)
    today = today_in(org.timezone)
    threshold = DEFAULT_MARGIN_THRESHOLD
    found = await uow.projects.dashboard(status="active", client_id=None,
                                         trend_day=today - timedelta(days=TREND_DAYS))
    stored = await uow.projects.stored_forecasts([p.id for p, *_ in found])
    staff_list = await uow.resources.staff()
    staff = {s.id: s for s in staff_list}
    mondays = weeks_from(today)
    bookings = await uow.allocations.bookings_between(mondays[0], mondays[-1] + timedelta(days=6))
    over = over_allocated(bookings, staff_list, today)
    by_project: dict[uuid.UUID, list[Booking]] = defaultdict(list)
    for booking in bookings:
        if booking.project_id is not None:
            by_project[booking.project_id].append(booking)
    levels: list[RateLevel] | None = None
    overdue = await uow.invoices.overdue_by_project(today)
    rows = []
    for project, totals, updated_at, before in found:
        margin = margin_of(project, totals, today, updated_at=updated_at)
        forecast = stored.get(project.id)
        if forecast is not None:
            row = ProjectAtRisk(
                id=project.id, name=project.name, current_margin=margin.margin_percent,
                forecast_margin=_optional(forecast.forecast_margin),
                forecast_low=_optional(forecast.forecast_low),
                forecast_high=_optional(forecast.forecast_high),
                risk_score=int(forecast.risk_score), days_remaining=margin.days_remaining,
                recommendation=forecast.recommendation)
        else:
            if levels is None:
                levels = await uow.resources.rate_levels(today)
            risk = assess(risk_inputs(
                project, margin, before, today, bookings=by_project.get(project.id, []),
                staff=staff, over=over, levels=levels, overdue=overdue.get(project.id, []),
                mondays=mondays, threshold=threshold))
            row = ProjectAtRisk(
                id=project.id, name=project.name, current_margin=margin.margin_percent,
                forecast_margin=None, forecast_low=None, forecast_high=None,
                risk_score=risk.score, days_remaining=margin.days_remaining,
                recommendation=risk.recommendation)
        if is_at_risk(row, threshold):
            rows.append(row)
    return ForecastDashboard(projects_at_risk=sorted(rows, key=_order),
                             resource_gaps=resource_gaps(bookings, staff_list, today))
