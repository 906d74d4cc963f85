"""What forecasting knows of a project, as plain data: its budget (from projects), the running
totals of its time and expenses (from time, at the rates each entry snapshotted), and the margin
API.md defines from them, per budget type."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from labs_common.budgets import BudgetType

ZERO = Decimal("0")
CENT = Decimal("0.01")
# A margin moving less than this many percentage points over the trend window is stable.
TREND_BAND = Decimal("1")
TREND_DAYS = 7


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if whole == 0 else money(part / whole * 100)


class Trend(StrEnum):
    UP = "up"
    DOWN = "down"
    STABLE = "stable"


@dataclass
class Project:
    id: uuid.UUID
    org_id: uuid.UUID
    name: str
    budget_type: BudgetType = BudgetType.TIME_AND_MATERIALS
    currency: str = "USD"
    client_id: uuid.UUID | None = None
    client_name: str = ""
    status: str = "active"
    budget_total: Decimal | None = None
    budget_hours: Decimal | None = None
    start_date: date | None = None
    end_date: date | None = None
    # The time of the event it is as of: an older event never overwrites it.
    as_of: datetime | None = None


@dataclass
class Totals:
    """A project's running sums, moved by each entry's and expense's change (`Contribution`)."""

    hours_logged: Decimal = ZERO
    billable_hours: Decimal = ZERO
    uncosted_hours: Decimal = ZERO
    labor_cost: Decimal = ZERO
    # Sum of rounded hours times billable rate of billable entries (time and materials revenue).
    time_revenue: Decimal = ZERO
    expense_cost: Decimal = ZERO
    billable_expenses: Decimal = ZERO

    def add(self, other: Totals, sign: int = 1) -> Totals:
        return Totals(**{name: getattr(self, name) + sign * getattr(other, name)
                         for name in self.__dataclass_fields__})


@dataclass(frozen=True)
class Entry:
    """A finished time entry as forecasting keeps it (a running timer counts nothing yet)."""

    id: uuid.UUID
    project_id: uuid.UUID
    date_worked: date
    hours: Decimal
    rounded_hours: Decimal
    billable: bool
    billable_rate: Decimal
    # None: the person had no cost rate when it was recorded (uncosted until one is set).
    cost_rate: Decimal | None
    currency: str
    user_id: uuid.UUID | None = None
    resource_id: uuid.UUID | None = None

    def contribution(self) -> Totals:
        return Totals(
            hours_logged=self.hours,
            billable_hours=self.rounded_hours if self.billable else ZERO,
            uncosted_hours=self.hours if self.cost_rate is None else ZERO,
            labor_cost=self.hours * self.cost_rate if self.cost_rate is not None else ZERO,
            time_revenue=self.rounded_hours * self.billable_rate if self.billable else ZERO,
        )


@dataclass(frozen=True)
class Expense:
    id: uuid.UUID
    project_id: uuid.UUID
    amount: Decimal
    currency: str
    billable: bool
    expense_date: date

    def contribution(self) -> Totals:
        return Totals(expense_cost=self.amount,
                      billable_expenses=self.amount if self.billable else ZERO)


@dataclass(frozen=True)
class Margin:
    project_id: uuid.UUID
    currency: str
    budget: Decimal | None
    revenue: Decimal
    labor_cost: Decimal
    expense_cost: Decimal
    cost: Decimal
    margin_dollar: Decimal
    margin_percent: Decimal | None
    hours_logged: Decimal
    billable_hours: Decimal
    uncosted_hours: Decimal
    budget_used_percent: Decimal | None
    hours_remaining: Decimal | None
    days_remaining: int | None
    trend: Trend = Trend.STABLE
    updated_at: datetime | None = None


def months_billed(start: date | None, today: date) -> int:
    """A retainer bills its budget each month from its start month, this month included."""
    if start is None or today < start:
        return 0
    return (today.year - start.year) * 12 + today.month - start.month + 1


def revenue_of(project: Project, totals: Totals, today: date) -> Decimal:
    if project.budget_type is BudgetType.TIME_AND_MATERIALS:
        return totals.time_revenue + totals.billable_expenses
    if project.budget_type is BudgetType.FIXED_FEE:
        return project.budget_total or ZERO
    if project.budget_type is BudgetType.RETAINER:
        return (project.budget_total or ZERO) * months_billed(project.start_date, today)
    return ZERO


def margin_of(project: Project, totals: Totals, today: date, *,
              trend: Trend = Trend.STABLE, updated_at: datetime | None = None) -> Margin:
    """API.md's margin: cost = labor at each entry's cost rate + every expense; revenue by
    budget type; budget used = cost (fixed fee, retainer) or revenue (time and materials) of
    the budget."""
    revenue = money(revenue_of(project, totals, today))
    labor, expenses = money(totals.labor_cost), money(totals.expense_cost)
    cost = labor + expenses
    margin_dollar = revenue - cost
    budget = project.budget_total
    used = revenue if project.budget_type is BudgetType.TIME_AND_MATERIALS else cost
    if project.budget_type is BudgetType.RETAINER and budget is not None:
        budget = budget * max(months_billed(project.start_date, today), 1)
    return Margin(
        project_id=project.id, currency=project.currency,
        budget=money(budget) if budget is not None else None,
        revenue=revenue, labor_cost=labor, expense_cost=expenses, cost=cost,
        margin_dollar=margin_dollar, margin_percent=percent(margin_dollar, revenue),
        hours_logged=totals.hours_logged, billable_hours=totals.billable_hours,
        uncosted_hours=totals.uncosted_hours,
        budget_used_percent=percent(used, budget) if budget else None,
        hours_remaining=(project.budget_hours - totals.hours_logged
                         if project.budget_hours is not None else None),
        days_remaining=(project.end_date - today).days if project.end_date else None,
        trend=trend, updated_at=updated_at,
    )


def trend_of(now: Decimal | None, before: Decimal | None) -> Trend:
    """Up or down when the margin moved more than TREND_BAND points since TREND_DAYS ago."""
    if now is None or before is None:
        return Trend.STABLE
    if now - before > TREND_BAND:
        return Trend.UP
    if before - now > TREND_BAND:
        return Trend.DOWN
    return Trend.STABLE


@dataclass(frozen=True)
class DailyMargin:
    day: date
    revenue: Decimal
    cost: Decimal
    margin_dollar: Decimal
    margin_percent: Decimal | None


@dataclass
class Organization:
    id: uuid.UUID
    currency: str = "USD"
    timezone: str = "UTC"
    # Units of the org's currency per unit of each other currency ("GBP": 1.17 in a EUR org).
    exchange_rates: dict[str, Decimal] = field(default_factory=dict)
    financials_visible_to: str = "manager"
