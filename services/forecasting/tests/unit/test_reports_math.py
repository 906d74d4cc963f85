"""The dashboards' and reports' arithmetic (domain/reports.py): conversion into the org's
currency, the profitability order and summary, the range margin, working days and utilization;
and who may read what."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import PermissionDenied
from labs_forecasting.domain.model import (
    BudgetType,
    Margin,
    Organization,
    Project,
    Trend,
)
from labs_forecasting.domain.reports import (
    AllocationSpan,
    Converter,
    Person,
    PersonHours,
    WorkSums,
    hours_in_range,
    profitability_row,
    sort_rows,
    summarize,
    summary_row,
    summary_totals,
    utilization_rows,
    week_share,
    working_days,
)
from labs_forecasting.service_layer import access
from labs_forecasting.service_layer.dashboards import reads_financials, require_staff

ORG = uuid.uuid4()
EUR_ORG = Organization(id=ORG, currency="EUR", exchange_rates={"GBP": D("1.17"), "USD": D("0.9")})


def project(name: str, currency: str = "EUR", **values) -> Project:
    return Project(id=uuid.uuid4(), org_id=ORG, name=name, currency=currency, **values)


def margin(p: Project, revenue: str, cost: str, budget: str | None = "1000.00") -> Margin:
    revenue_, cost_ = D(revenue), D(cost)
    percent = None if revenue_ == 0 else (
        (revenue_ - cost_) / revenue_ * 100).quantize(D("0.01"))
    return Margin(
        project_id=p.id, currency=p.currency, budget=D(budget) if budget else None,
        revenue=revenue_, labor_cost=cost_, expense_cost=D(0), cost=cost_,
        margin_dollar=revenue_ - cost_, margin_percent=percent, hours_logged=D(0),
        billable_hours=D(0), uncosted_hours=D(0), budget_used_percent=None,
        hours_remaining=None, days_remaining=None, trend=Trend.UP)


def row(name: str, revenue: str, cost: str, currency: str = "EUR", budget: str | None = "1000"):
    p = project(name, currency)
    return profitability_row(p, margin(p, revenue, cost, budget), Converter.of(EUR_ORG))


def test_amounts_convert_at_the_orgs_rate_and_say_so():
    gbp = row("London", "100.00", "40.00", "GBP")
    assert (gbp.revenue, gbp.actuals, gbp.margin_dollar, gbp.budget) == (
        D("117.00"), D("46.80"), D("70.20"), D("1170.00"))
    assert gbp.converted and gbp.in_totals and gbp.margin_percent == D("60.00")
    own = row("Paris", "100.00", "40.00")
    assert not own.converted and own.in_totals and own.revenue == D("100.00")


def test_a_currency_without_a_rate_is_listed_unconverted_and_left_out_of_the_totals():
    chf = row("Zurich", "500.00", "100.00", "CHF")
    assert not chf.converted and not chf.in_totals and chf.revenue == D("500.00")
    summary = summarize([chf, row("Paris", "100.00", "50.00"),
                         row("London", "100.00", "40.00", "GBP")], "EUR")
    assert summary.unconverted == ("CHF",)
    assert summary.converted_from == {"GBP": D("1.17")}
    assert summary.total_margin == D("50.00") + D("70.20")
    assert summary.total_actuals == D("50.00") + D("46.80")
    assert summary.total_budget == D("1000") + D("1170.00")
    # The portfolio's margin: Σ margin / Σ revenue of the projects in the totals.
    assert summary.avg_margin_percent == (D("120.20") / D("217.00") * 100).quantize(D("0.01"))
    # Percent is currency-free: the unconverted project may still be the top one.
    assert (summary.top_project, summary.bottom_project) == ("Zurich", "Paris")


def test_no_revenue_means_no_average_and_no_top_or_bottom():
    summary = summarize([row("Idle", "0", "10.00")], "EUR")
    assert summary.avg_margin_percent is None
    assert (summary.top_project, summary.bottom_project) == ("", "")
    assert summarize([], "EUR").total_budget == 0


def test_rows_sort_by_each_key_in_either_order_with_unknown_figures_last():
    rows = [row("b", "100", "50"), row("a", "100", "10"), row("c", "0", "5"),
            row("d", "1000", "900")]
    names = lambda found: [r.name for r in found]  # noqa: E731
    assert names(sort_rows(rows)) == ["a", "b", "d", "c"]
    assert names(sort_rows(rows, "margin_percent", "asc")) == ["d", "b", "a", "c"]
    assert names(sort_rows(rows, "margin_dollar")) == ["d", "a", "b", "c"]
    assert names(sort_rows(rows, "margin_dollar", "asc")) == ["c", "b", "a", "d"]
    assert names(sort_rows(rows, "revenue")) == ["d", "a", "b", "c"]
    assert names(sort_rows(rows, "name", "asc")) == ["a", "b", "c", "d"]
    assert names(sort_rows(rows, "name")) == ["d", "c", "b", "a"]
    # Rows without a forecast (no risk score yet) come last, in name order.
    assert names(sort_rows(rows, "risk_score", "asc")) == ["a", "b", "c", "d"]
    scored = [replace(rows[0], risk_score=D("3")), replace(rows[3], risk_score=D("8")),
              *rows[1:3]]
    assert names(sort_rows(scored, "risk_score")) == ["d", "b", "a", "c"]


def test_equal_figures_keep_name_order():
    rows = [row("Beta", "100", "50"), row("alpha", "100", "50")]
    assert [r.name for r in sort_rows(rows)] == ["alpha", "Beta"]
    assert [r.name for r in sort_rows(rows, order="asc")] == ["alpha", "Beta"]


def test_range_revenue_is_the_value_of_the_work_whatever_the_budget_type():
    sums = WorkSums(hours=D("10"), time_revenue=D("1500.0000"), labor_cost=D("600.0000"),
                    expense_cost=D("50.00"), billable_expenses=D("20.00"))
    for budget_type in (BudgetType.TIME_AND_MATERIALS, BudgetType.FIXED_FEE,
                        BudgetType.RETAINER):
        found = summary_row(project("p", budget_type=budget_type, budget_total=D("99999")),
                            sums)
        assert (found.revenue, found.cost, found.margin_dollar) == (
            D("1520.00"), D("650.00"), D("870.00"))
        assert found.margin_percent == D("57.24")
    internal = summary_row(project("i", budget_type=BudgetType.NON_BILLABLE), sums)
    assert (internal.revenue, internal.margin_dollar, internal.margin_percent) == (
        D("0.00"), D("-650.00"), None)


def test_summary_totals_convert_money_and_count_every_hour():
    rows = [summary_row(project("eu"), WorkSums(hours=D("2"), time_revenue=D("200"))),
            summary_row(project("uk", "GBP"), WorkSums(hours=D("1"), time_revenue=D("100"),
                                                       labor_cost=D("50"))),
            summary_row(project("ch", "CHF"), WorkSums(hours=D("4"), time_revenue=D("400")))]
    totals, missing = summary_totals(rows, Converter.of(EUR_ORG))
    assert missing == ["CHF"]
    assert (totals.currency, totals.hours, totals.revenue, totals.cost) == (
        "EUR", D("7"), D("317.00"), D("58.50"))
    assert totals.margin_dollar == D("258.50") and totals.name == "Total"


@pytest.mark.parametrize(("start", "end", "days"), [
    (date(2026, 11, 2), date(2026, 11, 8), 5),     # Monday to Sunday
    (date(2026, 11, 7), date(2026, 11, 8), 0),     # a weekend
    (date(2026, 11, 1), date(2026, 11, 30), 21),   # November 2026
    (date(2026, 11, 4), date(2026, 11, 4), 1),
    (date(2026, 11, 5), date(2026, 11, 4), 0),
])
def test_working_days_are_mondays_to_fridays(start, end, days):
    assert working_days(start, end) == days


def test_a_cut_week_counts_its_share_of_working_days():
    monday = date(2026, 11, 2)
    assert week_share(monday, date(2026, 11, 1), date(2026, 11, 30)) == 1
    assert week_share(monday, date(2026, 11, 4), date(2026, 11, 30)) == D("0.6")
    assert week_share(date(2026, 11, 30), date(2026, 11, 1), date(2026, 11, 30)) == D("0.2")
    # 20 h/week from Wednesday 4th on, over November's first week: 3 days of 4 h.
    assert hours_in_range(D("20"), date(2026, 11, 4), date(2026, 12, 31),
                          date(2026, 11, 2), date(2026, 11, 8)) == D("12")


def test_utilization_rows_join_capacity_logged_hours_and_allocations():
    ana, ben, gone = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    ben_user = uuid.uuid4()
    people = [Person(ana, "Ana"), Person(ben, "Ben", user_id=ben_user),
              Person(gone, "Gone", active=False)]
    available = {ana: ("Ana", D("40")), ben: ("Ben", D("0"))}
    logged = [PersonHours(ana, None, D("30"), D("24")),
              PersonHours(None, ben_user, D("5"), D("0")),
              PersonHours(None, uuid.uuid4(), D("9"), D("9"))]  # nobody's resource: left out
    allocations = [AllocationSpan(ana, D("20"), date(2026, 11, 1), date(2026, 11, 30))]
    rows = utilization_rows(people, available, logged, allocations,
                            date(2026, 11, 2), date(2026, 11, 8))
    assert [r.name for r in rows] == ["Ana", "Ben"]
    a, b = rows
    assert (a.available_hours, a.allocated_hours, a.logged_hours, a.billable_hours) == (
        D("40.00"), D("20.00"), D("30"), D("24"))
    assert (a.utilization_percent, a.billable_utilization_percent) == (D("75.00"), D("60.00"))
    assert b.logged_hours == D("5") and b.utilization_percent is None


def caller(role: Role) -> Principal:
    return Principal(user_id=uuid.uuid4(), org_id=ORG, role=role, token="t")


def test_staff_read_utilization_and_metrics_clients_never():
    for role in (Role.VIEWER, Role.MEMBER, Role.MANAGER, Role.OWNER):
        require_staff(caller(role))
    with pytest.raises(PermissionDenied):
        require_staff(caller(Role.CLIENT))


def test_financials_follow_the_org_setting_and_cost_rates_stay_with_managers():
    org = Organization(id=ORG)
    assert not reads_financials(caller(Role.MEMBER), org)
    assert reads_financials(caller(Role.MANAGER), org)
    opened = Organization(id=ORG, financials_visible_to="viewer")
    assert reads_financials(caller(Role.VIEWER), opened)
    assert not reads_financials(caller(Role.CLIENT), opened)
    with pytest.raises(PermissionDenied):
        access.require_cost_rates(caller(Role.MEMBER))
