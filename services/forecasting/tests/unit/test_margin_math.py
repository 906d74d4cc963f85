"""API.md's margin, per budget type, with no I/O: revenue, cost, margin in money and percent,
budget used, uncosted hours, and the trend."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from labs_forecasting.domain.model import (
    BudgetType,
    Entry,
    Expense,
    Project,
    Totals,
    Trend,
    margin_of,
    months_billed,
    trend_of,
)

D = Decimal
TODAY = date(2026, 3, 2)
PROJECT_ID = uuid.uuid4()


def entry(hours: str, rounded: str, billable: bool, rate: str, cost: str | None) -> Entry:
    return Entry(id=uuid.uuid4(), project_id=PROJECT_ID, date_worked=TODAY, hours=D(hours),
                 rounded_hours=D(rounded), billable=billable, billable_rate=D(rate),
                 cost_rate=D(cost) if cost is not None else None, currency="USD")


def expense(amount: str, billable: bool) -> Expense:
    return Expense(id=uuid.uuid4(), project_id=PROJECT_ID, amount=D(amount), currency="USD",
                   billable=billable, expense_date=TODAY)


# 2 h (rounded to 2.25) billable at 100, cost 40; 1.5 h non-billable, cost 40; 1 h billable at
# 100 with no cost rate yet; a billable expense of 50 and a non-billable one of 30.
WORK = [entry("2.00", "2.25", True, "100", "40"), entry("1.50", "1.50", False, "100", "40"),
        entry("1.00", "1.00", True, "100", None)]
SPENT = [expense("50.00", True), expense("30.00", False)]


def totals() -> Totals:
    found = Totals()
    for item in [*WORK, *SPENT]:
        found = found.add(item.contribution())
    return found


def project(budget_type: BudgetType, budget: str | None = "1000", **fields) -> Project:
    return Project(id=PROJECT_ID, org_id=uuid.uuid4(), name="Relaunch", budget_type=budget_type,
                   budget_total=D(budget) if budget is not None else None, **fields)


def test_cost_is_hours_at_each_entrys_cost_rate_plus_every_expense():
    margin = margin_of(project(BudgetType.FIXED_FEE), totals(), TODAY)
    assert margin.labor_cost == D("140.00")  # 2 x 40 + 1.5 x 40; the uncosted hour costs 0
    assert margin.expense_cost == D("80.00")  # billable or not
    assert margin.cost == D("220.00")
    assert margin.hours_logged == D("4.50")
    assert margin.billable_hours == D("3.25")  # rounded hours of billable entries
    assert margin.uncosted_hours == D("1.00")


def test_time_and_materials_revenue_is_rounded_billable_hours_at_rate_plus_billable_expenses():
    margin = margin_of(project(BudgetType.TIME_AND_MATERIALS), totals(), TODAY)
    assert margin.revenue == D("375.00")  # 2.25 x 100 + 1 x 100 + 50
    assert margin.margin_dollar == D("155.00")
    assert margin.margin_percent == D("41.33")
    assert margin.budget == D("1000.00")
    assert margin.budget_used_percent == D("37.50")  # revenue of the budget


def test_fixed_fee_revenue_is_the_budget_and_budget_used_is_cost():
    margin = margin_of(project(BudgetType.FIXED_FEE), totals(), TODAY)
    assert margin.revenue == D("1000.00")
    assert margin.margin_dollar == D("780.00")
    assert margin.margin_percent == D("78.00")
    assert margin.budget_used_percent == D("22.00")


def test_retainer_revenue_is_the_budget_for_each_month_since_its_start():
    retainer = project(BudgetType.RETAINER, "500", start_date=date(2026, 1, 15))
    margin = margin_of(retainer, totals(), TODAY)
    assert margin.revenue == D("1500.00")  # January, February, March
    assert margin.budget == D("1500.00")
    assert margin.margin_dollar == D("1280.00")
    assert margin.margin_percent == D("85.33")
    assert margin.budget_used_percent == D("14.67")  # cost of the budget billed so far


def test_a_retainer_not_started_yet_earns_nothing_and_has_no_margin_percent():
    later = project(BudgetType.RETAINER, "500", start_date=date(2026, 4, 1))
    margin = margin_of(later, totals(), TODAY)
    assert margin.revenue == D("0.00")
    assert margin.margin_percent is None
    assert margin.budget == D("500.00")


def test_non_billable_earns_nothing_so_margin_percent_is_null():
    margin = margin_of(project(BudgetType.NON_BILLABLE), totals(), TODAY)
    assert margin.revenue == D("0.00")
    assert margin.margin_dollar == D("-220.00")
    assert margin.margin_percent is None
    assert margin.budget_used_percent == D("22.00")


def test_no_budget_no_budget_used():
    margin = margin_of(project(BudgetType.TIME_AND_MATERIALS, None), totals(), TODAY)
    assert margin.budget is None and margin.budget_used_percent is None


def test_nothing_logged_yet():
    margin = margin_of(project(BudgetType.TIME_AND_MATERIALS), Totals(), TODAY)
    assert (margin.revenue, margin.cost, margin.margin_dollar) == (D("0.00"),) * 3
    assert margin.margin_percent is None
    assert margin.budget_used_percent == D("0.00")


def test_hours_and_days_remaining():
    dated = project(BudgetType.FIXED_FEE, budget_hours=D("10"), end_date=date(2026, 3, 12))
    margin = margin_of(dated, totals(), TODAY)
    assert margin.hours_remaining == D("5.50")
    assert margin.days_remaining == 10


def test_cost_is_rounded_once_on_the_sum_not_per_entry():
    thirds = Totals()
    for _ in range(3):
        thirds = thirds.add(entry("0.333", "0.333", True, "0", "10").contribution())
    assert margin_of(project(BudgetType.FIXED_FEE), thirds, TODAY).labor_cost == D("9.99")


@pytest.mark.parametrize(("start", "months"), [
    (None, 0), (date(2026, 3, 2), 1), (date(2026, 3, 1), 1), (date(2025, 12, 31), 4),
    (date(2026, 3, 3), 0),
])
def test_months_billed(start, months):
    assert months_billed(start, TODAY) == months


@pytest.mark.parametrize(("now", "before", "trend"), [
    ("30", "28.5", Trend.UP), ("30", "31.5", Trend.DOWN), ("30", "29.5", Trend.STABLE),
    ("30", "29", Trend.STABLE), ("30", None, Trend.STABLE), (None, "30", Trend.STABLE),
])
def test_trend_moves_only_beyond_one_point(now, before, trend):
    def as_decimal(value: str | None) -> Decimal | None:
        return D(value) if value is not None else None

    assert trend_of(as_decimal(now), as_decimal(before)) is trend
