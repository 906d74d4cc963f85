"""The profitability and metrics dashboards, from the read model alone.

The profitability dashboard reads one row per project (its budget, its running totals and its
margin percent a week ago, for the trend) and never an entry, so it stays fast for an
organization with a thousand projects and millions of entries; the arithmetic is
domain/reports.py's.

The metrics dashboard counts this week's hours (the ISO week, Monday to Sunday, in the org's
timezone) and this month's revenue by index-backed date ranges of the entries and expenses,
and what is owed from the invoices. Any staff member may read it (viewer and up; a client
never); its money figures (revenue_mtd, outstanding_amount) are left empty for a reader below
the organization's `financials_visible_to`, besides the gateway's own redaction of those
FINANCIALS fields.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import InvalidArgument, PermissionDenied
from labs_common.zones import today_in
from labs_forecasting.domain import commands
from labs_forecasting.domain.model import (
    TREND_DAYS,
    Organization,
    money,
    percent,
)
from labs_forecasting.domain.reports import (
    ORDERS,
    SORT_KEYS,
    STATUSES,
    Converter,
    ProfitabilityRow,
    ProfitabilitySummary,
    profitability_row,
    sort_rows,
    summarize,
)
from labs_forecasting.service_layer import access
from labs_forecasting.service_layer.projection import margin_now
from labs_forecasting.service_layer.unit_of_work import ForecastingUnitOfWork


def require_staff(principal: Principal) -> None:
    """Viewer and up: the utilization report and the metrics (a client never)."""
    if principal.role is Role.CLIENT or not principal.role.at_least(Role.VIEWER):
        raise PermissionDenied("This is for the organization's staff.", reason="ROLE_TOO_LOW",
                               metadata={"required_role": Role.VIEWER.value})


def reads_financials(principal: Principal, org: Organization) -> bool:
    try:
        access.require_financials(principal, org)
    except PermissionDenied:
        return False
    return True


@dataclass(frozen=True)
class Profitability:
    rows: list[ProfitabilityRow]
    summary: ProfitabilitySummary


async def get_profitability_dashboard(command: commands.GetProfitabilityDashboard,
                                      uow: ForecastingUnitOfWork) -> Profitability:
    if command.status and command.status not in STATUSES:
        raise InvalidArgument.on("status", f"must be one of {', '.join(STATUSES)}")
    if command.sort_by not in SORT_KEYS:
        raise InvalidArgument.on("sort_by", f"must be one of {', '.join(SORT_KEYS)}")
    if command.order not in ORDERS:
        raise InvalidArgument.on("order", "must be desc or asc")
    org = await uow.organizations.get()
    access.require_financials(uow.caller, org)
    today = today_in(org.timezone)
    converter = Converter.of(org)
    found = await uow.projects.dashboard(status=command.status, client_id=command.client_id,
                                         trend_day=today - timedelta(days=TREND_DAYS))
    forecasts = await uow.projects.stored_forecasts([p.id for p, *_ in found])
    rows = []
    for project, totals, updated_at, before in found:
        row = profitability_row(project, margin_now(project, totals, updated_at, before, today),
                                converter)
        if (forecast := forecasts.get(project.id)) is not None:
            row = replace(row, forecast_margin=forecast.forecast_margin,
                          forecast_confidence=forecast.forecast_confidence,
                          risk_score=forecast.risk_score)
        rows.append(row)
    return Profitability(sort_rows(rows, command.sort_by, command.order),
                         summarize(rows, converter.currency))


@dataclass(frozen=True)
class Metrics:
    currency: str
    active_projects: int
    hours_this_week: Decimal
    billable_hours_this_week: Decimal
    utilization_percent: Decimal | None
    # None: withheld from this reader.
    revenue_mtd: Decimal | None
    outstanding_amount: Decimal | None
    overdue_invoices: int


def week_of(today: date) -> tuple[date, date]:
    """The ISO week (Monday to Sunday) `today` falls in."""
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


def month_of(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


async def get_metrics(command: commands.GetMetrics, uow: ForecastingUnitOfWork) -> Metrics:
    require_staff(uow.caller)
    org = await uow.organizations.get()
    today = today_in(org.timezone)
    converter = Converter.of(org)
    monday, sunday = week_of(today)
    hours, billable = await uow.entries.hours_between(monday, sunday)
    capacity = await uow.resources.weekly_capacity()
    revenue = outstanding = None
    if reads_financials(uow.caller, org):
        first, last = month_of(today)
        earned = [*await uow.entries.revenue_by_currency(first, last),
                  *await uow.expenses.billable_by_currency(first, last)]
        revenue, _ = converter.total(earned)
    owed, overdue = await uow.invoices.owed(today)
    if revenue is not None:
        outstanding, _ = converter.total(owed)
    return Metrics(
        currency=converter.currency, active_projects=await uow.projects.count_active(),
        hours_this_week=money(hours), billable_hours_this_week=money(billable),
        utilization_percent=percent(hours, capacity) if capacity > 0 else None,
        revenue_mtd=revenue, outstanding_amount=outstanding, overdue_invoices=overdue)

