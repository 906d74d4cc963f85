"""Resource gaps by seniority over the next 12 weeks and over-allocation, from allocations and
capacity (domain/gaps.py, no I/O)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from labs_forecasting.domain.gaps import (
    Booking,
    Staff,
    hours_in_week,
    over_allocated,
    resource_gaps,
    weeks_from,
)

D = Decimal
TODAY = date(2026, 3, 4)  # a Wednesday
MONDAY = date(2026, 3, 2)


def person(level: str, capacity: str = "40", active: bool = True) -> Staff:
    return Staff(uuid.uuid4(), level, D(capacity), active)


def booking(who: Staff, hours: str, weeks: int, start: date = MONDAY, tentative=False) -> Booking:
    return Booking(who.id, D(hours), start, start + timedelta(weeks=weeks, days=-3),
                   tentative=tentative)


def test_weeks_start_on_the_monday_of_today():
    mondays = weeks_from(TODAY)
    assert len(mondays) == 12 and mondays[0] == MONDAY and mondays[-1] == date(2026, 5, 18)


def test_an_allocation_counts_per_working_day_of_the_week():
    who = person("mid")
    wednesday_on = Booking(who.id, D("40"), date(2026, 3, 4), date(2026, 3, 31))
    assert hours_in_week(wednesday_on, MONDAY) == D("24")
    assert hours_in_week(wednesday_on, date(2026, 3, 9)) == D("40")
    assert hours_in_week(wednesday_on, date(2026, 4, 6)) == 0


def test_a_persistent_gap_recommends_a_hire():
    mids = [person("mid"), person("mid")]
    seniors = [person("senior")]
    bookings = [booking(mids[0], "40", 8), booking(mids[1], "40", 8),
                booking(mids[0], "32", 8, tentative=True),  # tentative counts
                booking(seniors[0], "30", 12)]
    gaps = resource_gaps(bookings, [*mids, *seniors], TODAY)
    assert len(gaps) == 1
    gap = gaps[0]
    assert gap.skill_level == "mid"
    assert gap.hours_needed == D("896.00")  # 112 h a week for 8 weeks
    assert gap.hours_available == D("960.00")  # 80 h a week for 12 weeks
    assert gap.gap_hours == D("256.00")
    assert gap.weeks_short == 8
    assert gap.hiring_recommendation == (
        "Hire a mid-level developer: 32 h/week short for 8 of the next 12 weeks")


def test_a_short_gap_is_listed_without_a_hire_and_inactive_people_have_no_capacity():
    junior, gone = person("junior"), person("junior", active=False)
    bookings = [booking(junior, "40", 3), booking(gone, "20", 3)]
    gaps = resource_gaps(bookings, [junior, gone], TODAY)
    assert [(g.skill_level, g.gap_hours, g.weeks_short, g.hiring_recommendation)
            for g in gaps] == [("junior", D("60.00"), 3, "")]


def test_a_surplus_week_does_not_hide_a_short_one_and_unknown_resources_count_nowhere():
    senior = person("senior", "40")
    stranger = Booking(uuid.uuid4(), D("40"), MONDAY, MONDAY + timedelta(weeks=12))
    later = MONDAY + timedelta(weeks=6)
    gaps = resource_gaps([booking(senior, "50", 2, start=later), stranger], [senior], TODAY)
    assert [(g.skill_level, g.gap_hours, g.hours_needed) for g in gaps] == [
        ("senior", D("20.00"), D("100.00"))]


def test_over_allocated_in_any_coming_week():
    busy, fine = person("mid", "40"), person("senior", "40")
    later = MONDAY + timedelta(weeks=3)
    bookings = [booking(busy, "30", 2, start=later), booking(busy, "20", 1, start=later),
                booking(fine, "40", 4)]
    assert over_allocated(bookings, [busy, fine], TODAY) == {busy.id}
    past = MONDAY - timedelta(weeks=4)
    assert over_allocated([booking(busy, "80", 2, start=past)], [busy], TODAY) == set()
