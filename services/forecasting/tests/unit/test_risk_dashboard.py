"""The forecast dashboard's pure pieces: who is at risk, and a project's booked hours per week
by seniority as the risk assessment reads them (service_layer/forecast_dashboard.py)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from labs_forecasting.domain.gaps import Booking, Staff, weeks_from
from labs_forecasting.service_layer.forecast_dashboard import (
    ProjectAtRisk,
    is_at_risk,
    weekly_hours_by_level,
)

D = Decimal
MONDAY = date(2026, 3, 2)


def row(score: int, low: str | None) -> ProjectAtRisk:
    return ProjectAtRisk(id=uuid.uuid4(), name="P", current_margin=None, forecast_margin=None,
                         forecast_low=D(low) if low else None, forecast_high=None,
                         risk_score=score, days_remaining=None, recommendation="")


def test_at_risk_from_score_5_or_a_band_under_the_threshold():
    assert is_at_risk(row(5, None)) and not is_at_risk(row(4, None))
    assert is_at_risk(row(2, "19.99")) and not is_at_risk(row(2, "20"))
    assert is_at_risk(row(2, "25"), threshold=D("30"))


def test_weekly_hours_by_level_average_over_the_busy_weeks():
    mid, senior = Staff(uuid.uuid4(), "mid", D("40")), Staff(uuid.uuid4(), "senior", D("40"))
    staff = {mid.id: mid, senior.id: senior}
    four_weeks = MONDAY + timedelta(weeks=4, days=-3)
    two_weeks = MONDAY + timedelta(weeks=2, days=-3)
    bookings = [Booking(mid.id, D("30"), MONDAY, four_weeks),
                Booking(senior.id, D("20"), MONDAY, two_weeks),
                Booking(uuid.uuid4(), D("40"), MONDAY, four_weeks)]  # unknown: not counted
    assert weekly_hours_by_level(bookings, staff, weeks_from(MONDAY)) == {
        "mid": D("30"), "senior": D("10")}
    assert weekly_hours_by_level([], staff, weeks_from(MONDAY)) == {}
