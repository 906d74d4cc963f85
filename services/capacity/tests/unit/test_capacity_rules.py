"""Available hours, time off, holidays, allocations' share of a week, and utilization."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from labs_capacity.domain.capacity import allocated_hours, available_hours, utilization_percent
from labs_capacity.domain.model import Allocation, TimeOff

MONDAY = date(2026, 3, 2)
WEEKDAYS = (1, 2, 3, 4, 5)
ORG = uuid.uuid4()
PERSON = uuid.uuid4()


def time_off(start: date, end: date, hours: str | None = None) -> TimeOff:
    return TimeOff(PERSON, start, end, Decimal(hours) if hours else None,
                   id=uuid.uuid4(), org_id=ORG)


def allocation(hours: str, start: date, end: date, tentative: bool = False) -> Allocation:
    return Allocation(
        PERSON, uuid.uuid4(), Decimal(hours), start, end, tentative, id=uuid.uuid4(), org_id=ORG
    )


def test_a_full_week_has_the_weekly_capacity():
    assert available_hours(MONDAY, Decimal(40), WEEKDAYS) == Decimal("40.00")


def test_a_day_off_takes_one_working_day_and_a_weekend_off_takes_nothing():
    friday, saturday, sunday = date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 8)
    assert available_hours(MONDAY, Decimal(40), WEEKDAYS, [time_off(friday, sunday)]) == Decimal(
        "32.00"
    )
    assert available_hours(MONDAY, Decimal(40), WEEKDAYS, [time_off(saturday, sunday)]) == Decimal(
        "40.00"
    )


def test_partial_time_off_takes_its_hours_and_never_goes_below_zero():
    tuesday = date(2026, 3, 3)
    assert available_hours(
        MONDAY, Decimal(40), WEEKDAYS, [time_off(tuesday, tuesday, "3")]
    ) == Decimal("37.00")
    assert available_hours(
        MONDAY, Decimal(40), WEEKDAYS, [time_off(tuesday, tuesday, "12")]
    ) == Decimal("32.00")


def test_a_holiday_takes_the_day_only_for_people_who_work_that_day():
    wednesday = date(2026, 3, 4)
    assert available_hours(MONDAY, Decimal(40), WEEKDAYS, holidays=[wednesday]) == Decimal("32.00")
    assert available_hours(MONDAY, Decimal(24), (1, 2), holidays=[wednesday]) == Decimal("24.00")


def test_capacity_spreads_over_the_working_days():
    # 30 hours over Monday-Wednesday: 10 a day; Tuesday off leaves 20.
    tuesday = date(2026, 3, 3)
    assert available_hours(
        MONDAY, Decimal(30), (1, 2, 3), [time_off(tuesday, tuesday)]
    ) == Decimal("20.00")


def test_an_allocation_counts_its_share_of_a_week_it_partly_covers():
    week = allocation("20", date(2026, 3, 4), date(2026, 3, 20))  # from Wednesday on
    assert allocated_hours(MONDAY, WEEKDAYS, [week]) == (Decimal("12.00"), Decimal("0.00"))
    next_week = allocated_hours(date(2026, 3, 9), WEEKDAYS, [week])
    assert next_week == (Decimal("20.00"), Decimal("0.00"))


def test_tentative_hours_are_counted_apart():
    found = allocated_hours(
        MONDAY,
        WEEKDAYS,
        [allocation("10", MONDAY, date(2026, 3, 31)),
         allocation("5", MONDAY, date(2026, 3, 31), tentative=True)],
    )
    assert found == (Decimal("10.00"), Decimal("5.00"))


def test_utilization_is_confirmed_over_available():
    assert utilization_percent(Decimal(30), Decimal(40)) == Decimal("75.0")
    assert utilization_percent(Decimal(50), Decimal(40)) == Decimal("125.0")
    assert utilization_percent(Decimal(20), Decimal(30)) == Decimal("66.7")
    assert utilization_percent(Decimal(5), Decimal(0)) is None
