"""The forecast's deterministic math and its calibration (domain/forecast.py): no I/O."""

from __future__ import annotations

import math
import random
import uuid
from datetime import date
from decimal import Decimal

import pytest

from labs_forecasting.domain import forecast as fc
from labs_forecasting.domain.model import BudgetType, Project, Totals

MONDAY = date(2026, 3, 2)
ORG = uuid.uuid4()


def project(kind: BudgetType = BudgetType.TIME_AND_MATERIALS, **values) -> Project:
    return Project(id=uuid.uuid4(), org_id=ORG, name="P", budget_type=kind, **values)


def test_working_days_counts_mondays_to_fridays():
    assert fc.working_days(MONDAY, date(2026, 3, 6)) == 5
    assert fc.working_days(MONDAY, date(2026, 3, 8)) == 5
    assert fc.working_days(MONDAY, date(2026, 3, 13)) == 10
    assert fc.working_days(date(2026, 3, 7), date(2026, 3, 8)) == 0
    assert fc.working_days(date(2026, 3, 6), MONDAY) == 0


def test_remaining_work_is_hours_per_week_from_tomorrow_to_the_end_at_its_rates():
    a = fc.Allocation(Decimal("20"), MONDAY, date(2026, 3, 13), billing_rate=Decimal("150"),
                      cost_rate=Decimal("60"))
    # today Friday the 6th: the next week only, 20 h
    work = fc.remaining_work([a], date(2026, 3, 6), billable=True)
    assert work.hours == Decimal("20")
    assert work.cost == Decimal("1200")
    assert work.revenue == Decimal("3000")
    assert fc.remaining_work([a], date(2026, 3, 6), billable=False).revenue == 0


def test_tentative_allocations_count_half():
    a = fc.Allocation(Decimal("40"), MONDAY, date(2026, 3, 13), tentative=True,
                      cost_rate=Decimal("50"))
    assert fc.remaining_work([a], date(2026, 3, 6), billable=False).hours == Decimal("20")


def test_time_and_materials_revenue_grows_with_billable_allocated_hours():
    p = project()
    totals = Totals(hours_logged=Decimal("10"), labor_cost=Decimal("500"),
                    time_revenue=Decimal("1000"))
    remaining = fc.Work(Decimal("10"), Decimal("500"), Decimal("1500"))
    e = fc.estimate(p, totals, remaining)
    assert e.revenue_at_completion == Decimal("2500.00")
    assert e.cost_at_completion == Decimal("1000.00")
    assert e.margin_percent == Decimal("60.00")
    assert e.hours_at_completion == Decimal("20.00")


def test_fixed_fee_revenue_is_the_budget_and_the_ratio_scales_what_is_to_come():
    p = project(BudgetType.FIXED_FEE, budget_total=Decimal("10000"))
    totals = Totals(labor_cost=Decimal("4000"))
    remaining = fc.Work(Decimal("40"), Decimal("4000"), Decimal("0"))
    assert fc.estimate(p, totals, remaining).margin_percent == Decimal("20.00")
    assert fc.estimate(p, totals, remaining, 1.5).margin_percent == Decimal("0.00")


def test_retainer_revenue_is_its_budget_per_month_to_the_end():
    p = project(BudgetType.RETAINER, budget_total=Decimal("1000"), start_date=date(2026, 1, 15),
                end_date=date(2026, 6, 30))
    assert fc.estimate(p, Totals(), fc.Work()).revenue_at_completion == Decimal("6000.00")


def test_non_billable_has_no_margin_percent():
    e = fc.estimate(project(BudgetType.NON_BILLABLE), Totals(labor_cost=Decimal("5")), fc.Work())
    assert e.margin_percent is None and e.margin_dollar == Decimal("-5.00")


def test_burn_ratio_is_bounded_and_shrunk_while_history_is_short():
    assert fc.burn_ratio(Decimal("150"), Decimal("100"), fc.BURN_FULL_DAYS) == pytest.approx(1.5)
    assert fc.burn_ratio(Decimal("150"), Decimal("100"), fc.BURN_FULL_DAYS // 2) == \
        pytest.approx(1.25)
    assert fc.burn_ratio(Decimal("900"), Decimal("100"), 100) == pytest.approx(2.0)
    assert fc.burn_ratio(Decimal("5"), Decimal("0"), 100) == 1.0


def test_a_late_start_defers_the_booked_work():
    a = fc.Allocation(Decimal("40"), MONDAY, date(2026, 3, 27), cost_rate=Decimal("10"))
    p = project(BudgetType.FIXED_FEE, budget_total=Decimal("10000"))
    # first hour logged two weeks late, on the 16th; today the 20th
    today, first = date(2026, 3, 20), date(2026, 3, 16)
    remaining, _ = fc.labs_remaining(p, Totals(labor_cost=Decimal("400")), [a], today, first, 5)
    booked = fc.remaining_work([a], today, billable=False)
    assert booked.hours == Decimal("40")
    assert remaining.hours == Decimal("120")  # next week + the two weeks deferred


def test_bookings_only_takes_the_bookings_as_booked():
    a = fc.Allocation(Decimal("40"), MONDAY, date(2026, 3, 13), cost_rate=Decimal("100"))
    p = project(BudgetType.FIXED_FEE, budget_total=Decimal("10000"))
    e = fc.bookings_only(p, Totals(labor_cost=Decimal("6000")), [a], date(2026, 3, 6))
    assert e.cost_at_completion == Decimal("10000.00") and e.margin_percent == Decimal("0.00")


def test_sum_sd_of_white_noise_and_of_a_random_walk():
    assert fc.sum_sd([0.0], 2.0, 4) == pytest.approx(2.0 * 2)  # sqrt(4) x sigma
    # alpha 1: every shock stays; cumulative weights 1..h
    h = 5
    assert fc.sum_sd([1.0], 1.0, h) == pytest.approx(math.sqrt(sum(i * i for i in range(1, 6))))
    assert fc.sum_sd(fc.ar1_psi(0.0, h), 1.0, h) == pytest.approx(math.sqrt(h))
    assert fc.sum_sd([0.5], 1.0, 0) == 0.0


def test_ses_level_moves_towards_the_observations():
    assert fc.ses_level(10.0, 0.5, [20.0, 20.0]) == pytest.approx(17.5)


def test_band_holds_the_point_and_widens_with_the_factor():
    p = project(BudgetType.FIXED_FEE, budget_total=Decimal("10000"))
    totals = Totals(labor_cost=Decimal("3000"))
    remaining = fc.Work(Decimal("40"), Decimal("4000"), Decimal("0"))
    point = fc.estimate(p, totals, remaining).margin_percent
    narrow = fc.band(p, totals, remaining, 1.0, 0.2, 1.0)
    wide = fc.band(p, totals, remaining, 1.0, 0.2, 2.0)
    assert narrow.low < point < narrow.high
    assert wide.low < narrow.low and wide.high > narrow.high
    assert fc.band(p, totals, remaining, 1.0, 0.2, 0.0).low == point


def test_band_score_is_the_smallest_factor_that_holds_the_outcome():
    p = project(BudgetType.FIXED_FEE, budget_total=Decimal("10000"))
    totals = Totals(labor_cost=Decimal("3000"))
    remaining = fc.Work(Decimal("40"), Decimal("4000"), Decimal("0"))
    realized = Decimal("20.00")  # 5000 still to come, not 4000
    k = fc.band_score(p, totals, remaining, 1.0, 0.2, realized)
    assert k == pytest.approx(math.log(5000 / 4000) / (fc.Z80 * 0.2), rel=1e-3)
    b = fc.band(p, totals, remaining, 1.0, 0.2, k * 1.001)
    assert b.low <= realized <= b.high
    assert fc.band_score(p, totals, remaining, 1.0, 0.2, Decimal("30.00")) == 0.0


def test_calibration_factor_is_the_quantile_of_the_scores():
    scores = [i / 100 for i in range(101)]  # 0..1
    assert fc.calibration_factor(scores, prior_weight=10) == pytest.approx(0.8)
    # few scores: blended with the prior
    assert fc.calibration_factor([3.0], prior=1.0, prior_weight=4) == pytest.approx(1.5)
    assert fc.calibration_factor([], prior=1.7) == 1.7
    assert fc.calibration_factor([math.inf, 1.0], prior_weight=1) == 1.0


def test_a_calibrated_band_covers_eighty_percent_of_lognormal_outcomes():
    """Raw intervals too narrow (the real spread is 1.6 x what the model says): calibration on
    one half restores ~80% coverage on the other."""
    rng = random.Random(3)
    p = project(BudgetType.FIXED_FEE, budget_total=Decimal("10000"))
    totals = Totals(labor_cost=Decimal("3000"))
    remaining = fc.Work(Decimal("40"), Decimal("4000"), Decimal("0"))
    sigma = 0.1

    def outcome() -> Decimal:
        cost = 3000 + 4000 * math.exp(rng.gauss(0, sigma * 1.6))
        return Decimal(str(round((10000 - cost) / 10000 * 100, 2)))
    train = [fc.band_score(p, totals, remaining, 1.0, sigma, outcome()) for _ in range(400)]
    k = fc.calibration_factor(train)
    assert k == pytest.approx(1.6, rel=0.15)
    b = fc.band(p, totals, remaining, 1.0, sigma, k)
    raw = fc.band(p, totals, remaining, 1.0, sigma, 1.0)
    tests = [outcome() for _ in range(1000)]
    assert 0.75 <= fc.coverage([(t, b) for t in tests]) <= 0.85
    assert fc.coverage([(t, raw) for t in tests]) < 0.7


def test_relative_sigma_and_confidence():
    assert fc.relative_sigma(0.0, 100.0) == 0.0
    assert fc.relative_sigma(10.0, 0.0) == fc.DEFAULT_REL_SIGMA
    assert fc.relative_sigma(10.0, 100.0) == pytest.approx(math.sqrt(math.log(1.01)))
    long_narrow = fc.confidence(0.05, 1.0, 90)
    short_narrow = fc.confidence(0.05, 1.0, 5)
    long_wide = fc.confidence(0.5, 1.5, 90)
    assert 0 <= long_wide < long_narrow <= 100
    assert short_narrow < long_narrow
    assert fc.confidence(0.0, 1.0, 0) == 40


def test_expected_sum_never_falls_below_half_the_recent_mean():
    assert fc.expected_sum(100.0, [100.0] * 5, 10) == 1000.0
    assert fc.expected_sum(0.0, [100.0] * 5, 10) == 500.0
    assert fc.expected_sum(float("nan"), [], 10) == 0.0


def test_finite_json_drops_nan_and_infinity():
    assert fc.finite_json({"a": float("nan"), "b": [1.0, float("inf")], "c": "x"}) == {
        "a": None, "b": [1.0, None], "c": "x"}


def test_working_day_series_puts_weekends_on_the_friday_before():
    friday, saturday, monday = date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 9)
    series = fc.working_day_series([(friday, Decimal("10")), (saturday, Decimal("5")),
                                    (monday, Decimal("3"))], date(2026, 3, 10))
    assert series == [15.0, 3.0, 0.0]
    assert fc.working_day_series([], MONDAY) == []
