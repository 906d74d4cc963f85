"""How many hours a person has and has been given in a week.

A resource's weekly capacity is spread evenly over its working days. A holiday takes the whole
day; time off takes its hours_per_day (the whole day when not given), never below zero. An
allocation of H hours per week gives H / (working days) on each working day inside its dates, so a
week only partly inside the range counts its share. The overview computes the same thing in SQL
(adapters/capacity_queries.py); these functions are the rule, and the tests hold the SQL to them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from labs_capacity.domain.model import Allocation, TimeOff
from labs_capacity.domain.weeks import days_of_week

HOURS = Decimal("0.01")
PERCENT = Decimal("0.1")
ZERO = Decimal("0")


def daily_hours(capacity_hours_per_week: Decimal, working_days: Iterable[int]) -> Decimal:
    days = len(set(working_days))
    return capacity_hours_per_week / days if days else ZERO


def available_hours(
    monday: date,
    capacity_hours_per_week: Decimal,
    working_days: Iterable[int],
    time_off: Iterable[TimeOff] = (),
    holidays: Iterable[date] = (),
    end_date: date | None = None,
) -> Decimal:
    """`end_date`: the first day the resource no longer counts (it left), if it did."""
    working = set(working_days)
    per_day = daily_hours(capacity_hours_per_week, working)
    holidays = set(holidays)
    time_off = list(time_off)
    total = ZERO
    for day in days_of_week(monday):
        if day.isoweekday() not in working or day in holidays:
            continue
        if end_date is not None and day >= end_date:
            continue
        off = sum(
            (t.hours_per_day if t.hours_per_day is not None else per_day)
            for t in time_off
            if t.start_date <= day <= t.end_date
        )
        total += max(ZERO, per_day - off)
    return hours(total)


def allocated_hours(
    monday: date, working_days: Iterable[int], allocations: Iterable[Allocation]
) -> tuple[Decimal, Decimal]:
    """(confirmed, tentative) hours the allocations give in the week of `monday`."""
    working = set(working_days)
    if not working:
        return ZERO, ZERO
    confirmed = tentative = ZERO
    for day in days_of_week(monday):
        if day.isoweekday() not in working:
            continue
        for allocation in allocations:
            if allocation.start_date <= day <= allocation.end_date:
                share = allocation.allocated_hours / len(working)
                if allocation.tentative:
                    tentative += share
                else:
                    confirmed += share
    return hours(confirmed), hours(tentative)


def utilization_percent(allocated: Decimal, available: Decimal) -> Decimal | None:
    """Confirmed hours over available hours, in percent; None when nothing is available."""
    if available <= 0:
        return None
    return (allocated * 100 / available).quantize(PERCENT, rounding=ROUND_HALF_UP)


def hours(value: Decimal) -> Decimal:
    return value.quantize(HOURS, rounding=ROUND_HALF_UP)
