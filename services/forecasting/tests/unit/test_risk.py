"""The risk score as a sum of named factors, each with its contribution and sentence, and the
recommendations computed from the data (domain/risk.py, no I/O)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from labs_forecasting.domain.risk import (
    FACTORS,
    OverdueInvoice,
    RateLevel,
    RiskInputs,
    assess,
    elapsed_percent,
)

D = Decimal
TODAY = date(2026, 3, 2)
START, END = date(2026, 1, 1), date(2026, 5, 1)  # 120 days, 60 elapsed on TODAY


def inputs(**values) -> RiskInputs:
    return RiskInputs(today=TODAY, start_date=START, end_date=END, **values)


def test_a_healthy_project_scores_1_with_every_factor_listed_at_zero():
    risk = assess(inputs(budget_used_percent=D("40"), margin_percent=D("35"),
                         margin_percent_7d_ago=D("34.5"), forecast_low=D("28")))
    assert risk.score == 1
    assert tuple(f.factor for f in risk.factors) == FACTORS
    assert all(f.contribution == 0 and str(f.contribution) == "0.0" for f in risk.factors)
    assert risk.factor("burn_rate").detail == "Budget 40% used with 50% of the schedule elapsed"
    assert risk.factor("margin_trend").detail == "Margin stable at 35% over 7 days"
    assert risk.recommendations == () and risk.recommendation == ""


def test_nothing_known_scores_1_and_says_so():
    risk = assess(RiskInputs())
    assert risk.score == 1
    assert risk.factor("burn_rate").detail == "No budget to burn against"
    assert risk.factor("forecast_low").detail == "No forecast band and no margin yet"
    assert risk.factor("days_remaining").detail == "No end date"


def test_burn_ahead_of_the_schedule_adds_a_tenth_of_a_point_per_point_ahead():
    risk = assess(inputs(budget_used_percent=D("82")))
    burn = risk.factor("burn_rate")
    assert burn.contribution == D("3.0")  # 32 points ahead, capped at 3
    assert burn.detail == "Budget 82% used with 50% of the schedule elapsed"
    assert assess(inputs(budget_used_percent=D("62"))).factor("burn_rate").contribution == D(
        "1.2")
    assert risk.score == 4


def test_a_spent_budget_weighs_at_least_2_even_late_in_the_schedule():
    late = RiskInputs(today=date(2026, 4, 30), start_date=START, end_date=END,
                      budget_used_percent=D("101"))
    assert assess(late).factor("burn_rate").contribution == D("2.0")


def test_elapsed_share_is_clipped_to_the_schedule():
    assert elapsed_percent(inputs()) == 50
    assert elapsed_percent(RiskInputs(today=date(2025, 1, 1), start_date=START,
                                      end_date=END)) == 0
    assert elapsed_percent(RiskInputs(today=date(2027, 1, 1), start_date=START,
                                      end_date=END)) == 100
    assert elapsed_percent(RiskInputs(today=TODAY)) is None


def test_a_falling_margin_adds_a_fifth_of_a_point_per_point_fallen():
    trend = assess(inputs(margin_percent=D("24"), margin_percent_7d_ago=D("31"))).factor(
        "margin_trend")
    assert trend.contribution == D("1.4")
    assert trend.detail == "Margin fell 7 points in 7 days, to 24%"
    rising = assess(inputs(margin_percent=D("31"), margin_percent_7d_ago=D("24")))
    assert rising.factor("margin_trend").contribution == 0


def test_the_band_low_end_under_the_threshold_counts_and_falls_back_to_the_margin():
    low = assess(inputs(forecast_low=D("12"), margin_percent=D("25"))).factor("forecast_low")
    assert low.contribution == D("1.0")
    assert low.detail == "The forecast's low end, 12%, is 8 points below the 20% target"
    fallback = assess(inputs(margin_percent=D("16"))).factor("forecast_low")
    assert fallback.contribution == D("0.5")
    assert fallback.detail.startswith("No forecast band yet; the current margin, 16%")
    stricter = assess(inputs(forecast_low=D("25"), margin_threshold=D("30")))
    assert stricter.factor("forecast_low").contribution == D("0.6")


def test_over_allocation_and_overdue_invoices_add_half_a_point_each():
    people = (uuid.uuid4(), uuid.uuid4())
    overdue = (OverdueInvoice(D("4200"), "INV-0007", days_overdue=12),
               OverdueInvoice(D("800"), "INV-0009", days_overdue=3))
    risk = assess(inputs(over_allocated=people, team_size=5, overdue_invoices=overdue))
    assert risk.factor("over_allocation").contribution == D("1.0")
    assert risk.factor("over_allocation").detail == (
        "2 of the 5 people on the team are over-allocated")
    assert risk.factor("overdue_invoices").contribution == D("1.0")
    assert risk.factor("overdue_invoices").detail == "2 overdue invoices, USD 5,000.00 owed"
    assert risk.score == 3
    assert risk.recommendation == "Chase overdue invoice INV-0007"


@pytest.mark.parametrize(("days", "at_risk", "points"), [
    (-5, False, "1.0"), (10, True, "0.5"), (10, False, "0.0"), (40, True, "0.0")])
def test_days_remaining(days, at_risk, points):
    values = {"forecast_low": D("10")} if at_risk else {}
    risk = assess(RiskInputs(days_remaining=days, **values))
    assert risk.factor("days_remaining").contribution == D(points)


def test_the_score_is_clipped_to_10():
    risk = assess(RiskInputs(
        today=date(2026, 5, 10), start_date=START, end_date=END, budget_used_percent=D("140"),
        margin_percent=D("-30"), margin_percent_7d_ago=D("5"), forecast_low=D("-40"),
        over_allocated=tuple(uuid.uuid4() for _ in range(4)),
        overdue_invoices=tuple(OverdueInvoice(D("100")) for _ in range(4))))
    assert sum(f.contribution for f in risk.factors) > 9
    assert risk.score == 10


def test_moving_senior_work_to_a_mid_level_person_names_the_margin_gained():
    # 30 h senior at 150 + 20 h mid at 120 = 6,900 a week; 20 h x (90 - 60) = 600 saved.
    risk = assess(inputs(
        weekly_hours_by_level={"senior": D("30"), "mid": D("20")},
        rate_levels=(RateLevel("senior", D("90"), D("150")), RateLevel("mid", D("60"), D("120")),
                     RateLevel("junior", D("40"), D("90")))))
    top = risk.recommendations[0]
    assert top.action == "Move 20 h/week of senior work to a mid-level person"
    assert top.impact == "+8.7 points of margin"
    assert top.detail == "Mid-level people cost USD 30.00/h less; saves USD 600.00 a week"
    assert risk.recommendation == top.action


def test_no_rebalance_without_a_cheaper_level():
    risk = assess(inputs(weekly_hours_by_level={"junior": D("30")},
                         rate_levels=(RateLevel("junior", D("40"), D("90")),)))
    assert risk.recommendations == ()


def test_raising_the_rate_to_the_target():
    # Earns 125/h, costs 107.50/h: 107.50 / 0.8 = 134.375.
    risk = assess(inputs(margin_percent=D("14"), revenue=D("50000"), cost=D("43000"),
                         hours_logged=D("400")))
    top = risk.recommendations[0]
    assert top.action == "Raise the rate to USD 134.38/h to reach the 20% target"
    assert top.impact == "+6 points of margin"
    fixed = assess(inputs(budget_type="fixed_fee", margin_percent=D("14"), revenue=D("50000"),
                          cost=D("43000"), hours_logged=D("400")))
    assert all("rate" not in r.action for r in fixed.recommendations)


def test_unbilled_hours_and_overdue_invoices():
    risk = assess(inputs(unbilled_hours=D("42.5"), unbilled_amount=D("6375"),
                         overdue_invoices=(OverdueInvoice(D("900"), due_date=date(2026, 2, 1),
                                                          days_overdue=29),)))
    actions = [r.action for r in risk.recommendations]
    assert actions == ["Chase overdue invoice due 2026-02-01", "Invoice the 42.5 unbilled hours"]
    assert risk.recommendations[1].impact == "USD 6,375.00 billed"
    assert risk.recommendations[0].detail == "USD 900.00 owed, 29 days overdue"


def test_a_fixed_fee_short_of_its_target_asks_for_a_change_order():
    # Fee 50,000, expected to cost 44,000 (12 %): 44,000 / 0.8 = 55,000, so 5,000 more.
    risk = assess(inputs(budget_type="fixed_fee", revenue=D("50000"),
                         estimate_at_completion=D("44000")))
    top = risk.recommendations[0]
    assert top.action == "Agree a change order of USD 5,000.00 to reach the 20% target"
    assert top.impact == "+8 points of margin"
    assert assess(inputs(budget_type="fixed_fee", revenue=D("50000"),
                         estimate_at_completion=D("30000"))).recommendations == ()
