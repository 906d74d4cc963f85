"""The dashboards' and reports' arithmetic, as plain functions of plain data (no I/O), so each
rule is unit-testable: converting into the organization's currency, the profitability rows,
their order and summary, the margin summary of a date range and resource utilization.

Choices, and why:

- **Conversion.** `Organization.exchange_rates` holds units of the org's currency per unit of
  another one; an amount is multiplied by its rate and rounded to cents. A currency without a
  rate is *unconverted*: its rows are still listed, in their own currency, and left out of every
  total (adding two currencies would be a wrong number, not an approximate one).
- **avg_margin_percent** is the margin of the portfolio, Σ margin / Σ revenue x 100 over the
  converted projects, not the mean of the projects' percents: a mean lets a project with 100 of
  revenue and -500 % outweigh one with a million at 30 %. Empty when the total revenue is 0.
- **top_project / bottom_project** are the names of the highest and lowest margin percent
  (currency-free, so unconverted projects compete too); ties go to the first name. Projects
  without a percent (no revenue) are neither.
- **Order.** Projects without the figure sorted on (no revenue: no margin percent) come last
  in either direction; ties keep name order. `risk_score` sorts as `name` until forecasts give
  projects a risk score (then it becomes the score, with the same `order`).
- **Range revenue** (the margin summary report, GetMarginSummaryReport): the value of the work
  dated in the range at its own rate snapshots, for every billable budget type, time and
  materials, fixed fee and retainer alike: Σ rounded hours x billable rate of billable entries +
  billable expenses; non-billable projects earn 0. A share of a fixed fee would need the
  project's completion (a forecast, which the margins do not have yet) and would change each
  past range whenever the estimate moves; the value of the work is what a range can know, and
  it adds up across consecutive ranges. A project's live margin (GetProjectMargin) still counts
  its fee or retainer as API.md says.
- **Working days** of the utilization report are Monday to Friday: the read model does not hold
  each person's working days. Capacity's weekly available hours (time off and holidays taken
  out) count in full for weeks inside the range and by their share of working days in it for
  the weeks the range cuts; an allocation's weekly hours count per working day it overlaps the
  range (hours per week / 5 each), as capacity spreads them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from labs_forecasting.domain.model import (
    ZERO,
    BudgetType,
    Margin,
    Organization,
    Project,
    Trend,
    money,
    percent,
)

WORKING_DAYS_PER_WEEK = 5
SORT_KEYS = ("margin_percent", "margin_dollar", "revenue", "risk_score", "name")
ORDERS = ("desc", "asc")
STATUSES = ("planning", "active", "on_hold", "completed", "archived")


# --- conversion ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Converter:
    """Amounts of any currency in the organization's."""

    currency: str
    rates: dict[str, Decimal] = field(default_factory=dict)

    @classmethod
    def of(cls, org: Organization) -> Converter:
        return cls(org.currency.upper(), {k.upper(): v for k, v in org.exchange_rates.items()})

    def rate(self, currency: str) -> Decimal | None:
        """Units of the org's currency per unit of `currency`: 1 for its own; None without one."""
        code = currency.upper()
        if code == self.currency:
            return Decimal(1)
        rate = self.rates.get(code)
        return rate if rate is not None and rate > 0 else None

    def convert(self, amount: Decimal | None, currency: str) -> Decimal | None:
        """`amount` in the org's currency, or None (no amount, or no rate for `currency`)."""
        rate = self.rate(currency)
        if amount is None or rate is None:
            return None
        return money(amount * rate)

    def total(self, amounts: Iterable[tuple[str, Decimal]]) -> tuple[Decimal, list[str]]:
        """Σ of (currency, amount) pairs in the org's currency, and the currencies left out."""
        total, missing = ZERO, set()
        for currency, amount in amounts:
            converted = self.convert(amount, currency)
            if converted is None:
                missing.add(currency.upper())
            else:
                total += converted
        return money(total), sorted(missing)


# --- the profitability dashboard ----------------------------------------------------------


@dataclass(frozen=True)
class ProfitabilityRow:
    id: uuid.UUID
    name: str
    client_name: str
    status: str
    # The project's own currency; the amounts below are in the org's when `rate` is set.
    currency: str
    budget: Decimal | None
    revenue: Decimal
    actuals: Decimal
    margin_dollar: Decimal
    margin_percent: Decimal | None
    margin_trend: Trend
    # Units of the org's currency per unit of `currency`; None: no rate (amounts unconverted).
    rate: Decimal | None
    forecast_margin: Decimal | None = None
    forecast_confidence: Decimal | None = None
    # The forecast's risk score (1-10), None until the project has a forecast.
    risk_score: Decimal | None = None

    @property
    def converted(self) -> bool:
        return self.rate is not None and self.rate != 1

    @property
    def in_totals(self) -> bool:
        return self.rate is not None


def profitability_row(project: Project, margin: Margin, converter: Converter) -> ProfitabilityRow:
    rate = converter.rate(margin.currency)

    def amount(value: Decimal) -> Decimal:
        return value if rate is None else money(value * rate)

    return ProfitabilityRow(
        id=project.id, name=project.name, client_name=project.client_name,
        status=project.status, currency=margin.currency.upper(),
        budget=None if margin.budget is None else amount(margin.budget),
        revenue=amount(margin.revenue), actuals=amount(margin.cost),
        margin_dollar=amount(margin.margin_dollar), margin_percent=margin.margin_percent,
        margin_trend=margin.trend, rate=rate,
    )


def _name_key(row) -> tuple[str, str]:
    return (row.name.casefold(), str(row.id))


_SORT_VALUES: dict[str, Callable[[ProfitabilityRow], Decimal | None]] = {
    "margin_percent": lambda r: r.margin_percent,
    "margin_dollar": lambda r: r.margin_dollar,
    "revenue": lambda r: r.revenue,
    "risk_score": lambda r: r.risk_score,
}


def sort_rows(rows: Iterable[ProfitabilityRow], sort_by: str = "margin_percent",
              order: str = "desc") -> list[ProfitabilityRow]:
    """Rows in the dashboard's order (see the module's docstring)."""
    descending = order != "asc"
    by_name = sorted(rows, key=_name_key)
    value = _SORT_VALUES.get(sort_by)
    if value is None:  # name
        return by_name[::-1] if descending else by_name
    known = [r for r in by_name if value(r) is not None]
    # Stable: equal values keep name order, also when reversed.
    known.sort(key=value, reverse=descending)  # type: ignore[arg-type, return-value]
    return known + [r for r in by_name if value(r) is None]


@dataclass(frozen=True)
class ProfitabilitySummary:
    currency: str
    total_budget: Decimal
    total_actuals: Decimal
    total_margin: Decimal
    total_revenue: Decimal
    avg_margin_percent: Decimal | None
    top_project: str
    bottom_project: str
    converted_from: dict[str, Decimal]
    unconverted: tuple[str, ...]


def summarize(rows: Iterable[ProfitabilityRow], currency: str) -> ProfitabilitySummary:
    rows = list(rows)
    counted = [r for r in rows if r.in_totals]
    total_margin = sum((r.margin_dollar for r in counted), ZERO)
    total_revenue = sum((r.revenue for r in counted), ZERO)
    ranked = sorted((r for r in rows if r.margin_percent is not None), key=_name_key)
    top = max(ranked, key=lambda r: r.margin_percent, default=None)  # first of equals
    bottom = min(ranked, key=lambda r: r.margin_percent, default=None)
    return ProfitabilitySummary(
        currency=currency,
        total_budget=sum((r.budget for r in counted if r.budget is not None), ZERO),
        total_actuals=sum((r.actuals for r in counted), ZERO),
        total_margin=total_margin, total_revenue=total_revenue,
        avg_margin_percent=percent(total_margin, total_revenue),
        top_project=top.name if top else "", bottom_project=bottom.name if bottom else "",
        converted_from={r.currency: r.rate for r in counted if r.converted},  # type: ignore[misc]
        unconverted=tuple(sorted({r.currency for r in rows if not r.in_totals})),
    )


# --- the margin summary of a date range ---------------------------------------------------


@dataclass(frozen=True)
class WorkSums:
    """What a project's entries and expenses dated in a range add up to."""

    hours: Decimal = ZERO
    # Σ rounded hours x billable rate of billable entries.
    time_revenue: Decimal = ZERO
    # Σ hours x cost rate of entries with a cost rate.
    labor_cost: Decimal = ZERO
    uncosted_hours: Decimal = ZERO
    expense_cost: Decimal = ZERO
    billable_expenses: Decimal = ZERO

    def __add__(self, other: WorkSums) -> WorkSums:
        return WorkSums(*(getattr(self, n) + getattr(other, n)
                          for n in self.__dataclass_fields__))


@dataclass(frozen=True)
class SummaryRow:
    id: uuid.UUID | None
    name: str
    client_name: str
    currency: str
    hours: Decimal
    revenue: Decimal
    cost: Decimal
    margin_dollar: Decimal
    margin_percent: Decimal | None


def range_revenue(project: Project, sums: WorkSums) -> Decimal:
    """The value of the range's work (module docstring): 0 for a non-billable project."""
    if project.budget_type is BudgetType.NON_BILLABLE:
        return money(ZERO)
    return money(sums.time_revenue + sums.billable_expenses)


def summary_row(project: Project, sums: WorkSums) -> SummaryRow:
    revenue = range_revenue(project, sums)
    cost = money(sums.labor_cost) + money(sums.expense_cost)
    return SummaryRow(
        id=project.id, name=project.name, client_name=project.client_name,
        currency=project.currency.upper(), hours=sums.hours, revenue=revenue, cost=cost,
        margin_dollar=revenue - cost, margin_percent=percent(revenue - cost, revenue))


def summary_totals(rows: Iterable[SummaryRow], converter: Converter
                   ) -> tuple[SummaryRow, list[str]]:
    """The totals row in the org's currency (hours of every row; money of the rows whose
    currency has a rate), and the currencies left out of the money."""
    rows = list(rows)
    revenue, missing = converter.total((r.currency, r.revenue) for r in rows)
    cost, _ = converter.total((r.currency, r.cost) for r in rows)
    return SummaryRow(
        id=None, name="Total", client_name="", currency=converter.currency,
        hours=sum((r.hours for r in rows), ZERO), revenue=revenue, cost=cost,
        margin_dollar=revenue - cost, margin_percent=percent(revenue - cost, revenue),
    ), missing


# --- resource utilization -----------------------------------------------------------------


def working_days(start: date, end: date) -> int:
    """Mondays to Fridays in [start, end] (0 when end is before start)."""
    days = (end - start).days + 1
    if days <= 0:
        return 0
    weeks, rest = divmod(days, 7)
    count = weeks * WORKING_DAYS_PER_WEEK
    for offset in range(rest):
        if (start + timedelta(days=weeks * 7 + offset)).weekday() < WORKING_DAYS_PER_WEEK:
            count += 1
    return count


def week_share(monday: date, start: date, end: date) -> Decimal:
    """The part of the week of `monday` inside [start, end], in working days (0 to 1)."""
    inside = working_days(max(monday, start), min(monday + timedelta(days=6), end))
    return Decimal(inside) / WORKING_DAYS_PER_WEEK


def hours_in_range(weekly: Decimal, first: date, last: date, start: date, end: date) -> Decimal:
    """What `weekly` hours from `first` to `last` give in [start, end]: hours per week / 5 on
    each working day of the overlap."""
    overlap = working_days(max(first, start), min(last, end))
    return weekly * overlap / WORKING_DAYS_PER_WEEK


def hours(value: Decimal) -> Decimal:
    return money(value)


@dataclass(frozen=True)
class UtilizationRow:
    resource_id: uuid.UUID
    name: str
    available_hours: Decimal
    allocated_hours: Decimal
    logged_hours: Decimal
    billable_hours: Decimal

    @property
    def utilization_percent(self) -> Decimal | None:
        return percent(self.logged_hours, self.available_hours)

    @property
    def billable_utilization_percent(self) -> Decimal | None:
        return percent(self.billable_hours, self.available_hours)


def rounded(row: UtilizationRow) -> UtilizationRow:
    return replace(row, available_hours=hours(row.available_hours),
                   allocated_hours=hours(row.allocated_hours))


# --- what the read model answers these reports --------------------------------------------


@dataclass(frozen=True)
class Person:
    """A resource as forecasting heard of it."""

    id: uuid.UUID
    name: str
    user_id: uuid.UUID | None = None
    active: bool = True
    capacity_hours_per_week: Decimal = ZERO


@dataclass(frozen=True)
class PersonHours:
    """Hours logged in a range by one person (a resource, or a member logging as a user)."""

    resource_id: uuid.UUID | None
    user_id: uuid.UUID | None
    hours: Decimal
    billable_hours: Decimal


@dataclass(frozen=True)
class AllocationSpan:
    resource_id: uuid.UUID
    allocated_hours: Decimal  # per week
    start_date: date
    end_date: date


def resource_of(hours: PersonHours, by_user: dict[uuid.UUID, uuid.UUID]) -> uuid.UUID | None:
    """The resource whose hours these are: the entry's resource, else the user's resource."""
    if hours.resource_id is not None:
        return hours.resource_id
    return by_user.get(hours.user_id) if hours.user_id is not None else None


def utilization_rows(people: Iterable[Person], available: dict[uuid.UUID, tuple[str, Decimal]],
                     logged: Iterable[PersonHours], allocations: Iterable[AllocationSpan],
                     start: date, end: date) -> list[UtilizationRow]:
    """One row per resource that is active, has capacity in the range (capacity's answer) or
    logged hours in it; by name. Hours of people without a resource are left out."""
    people = {p.id: p for p in people}
    by_user = {p.user_id: p.id for p in people.values() if p.user_id is not None}
    logged_of: dict[uuid.UUID, tuple[Decimal, Decimal]] = {}
    for h in logged:
        rid = resource_of(h, by_user)
        if rid is None:
            continue
        total, billable = logged_of.get(rid, (ZERO, ZERO))
        logged_of[rid] = (total + h.hours, billable + h.billable_hours)
    allocated_of: dict[uuid.UUID, Decimal] = {}
    for a in allocations:
        allocated_of[a.resource_id] = allocated_of.get(a.resource_id, ZERO) + hours_in_range(
            a.allocated_hours, a.start_date, a.end_date, start, end)
    ids = {pid for pid, p in people.items() if p.active} | set(available) | set(logged_of)
    rows = []
    for rid in ids:
        person = people.get(rid)
        name = person.name if person else available.get(rid, ("", ZERO))[0]
        logged_hours, billable_hours = logged_of.get(rid, (ZERO, ZERO))
        rows.append(rounded(UtilizationRow(
            resource_id=rid, name=name, available_hours=available.get(rid, ("", ZERO))[1],
            allocated_hours=allocated_of.get(rid, ZERO), logged_hours=logged_hours,
            billable_hours=billable_hours)))
    return sorted(rows, key=lambda r: (r.name.casefold(), str(r.resource_id)))
