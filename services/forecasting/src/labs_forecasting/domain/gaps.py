"""Resource gaps over the coming weeks, and who is over-allocated, from allocations and the
resources' weekly capacity (pure; no I/O).

Choices, and why:

- **Weeks** are ISO weeks (Monday to Sunday), from the one `today` falls in, 12 of them.
- **An allocation's hours per week** count per working day (Monday to Friday) it overlaps a
  week, hours per week / 5 each, as capacity spreads them; tentative allocations count too (a
  gap is about what may come, API.md), allocations to archived projects or uncounted ones are
  the caller's to leave out.
- **By seniority level** (the read model's resources hold no skills; an allocation names none
  either, so `skill_level` is the level alone): hours needed are the allocations of that level's
  people, hours available the capacity of that level's active people. An allocation to a
  resource forecasting has not heard of counts nowhere.
- **gap_hours** is the sum of each week's shortfall (needed - available, when positive), so a
  surplus one week does not hide a shortfall the next; hours_needed and hours_available are the
  sums over the weeks. Only the levels with a gap are listed, largest first.
- **A hiring recommendation** when a level is short in at least 4 of the 12 weeks, naming the
  average weekly shortfall over those weeks.
- **Over-allocated** people: allocated more than their capacity in any of the coming weeks
  (capacity's own `resource.over_allocated` events are not in the read model).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")
WEEKS = 12
PERSISTENT_WEEKS = 4
WORKING_DAYS = 5
LEVEL_NAMES = {"mid": "mid-level", "junior": "junior", "senior": "senior", "lead": "lead",
               "principal": "principal", "contractor": "contractor"}


def _hours(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _whole(value: Decimal) -> str:
    return f"{value.quantize(Decimal('1'), rounding=ROUND_HALF_UP)}"


@dataclass(frozen=True)
class Staff:
    """A resource: its seniority level, weekly capacity, and whether it is active."""

    id: uuid.UUID
    seniority_level: str
    capacity_hours_per_week: Decimal
    active: bool = True


@dataclass(frozen=True)
class Booking:
    """An allocation: hours per week of a resource on a project over [start_date, end_date]."""

    resource_id: uuid.UUID
    hours_per_week: Decimal
    start_date: date
    end_date: date
    project_id: uuid.UUID | None = None
    tentative: bool = False


@dataclass(frozen=True)
class ResourceGap:
    skill_level: str
    hours_needed: Decimal
    hours_available: Decimal
    gap_hours: Decimal
    weeks_short: int
    hiring_recommendation: str


def weeks_from(today: date, count: int = WEEKS) -> list[date]:
    """The Mondays of `count` weeks, the first the week of `today`."""
    monday = today - timedelta(days=today.weekday())
    return [monday + timedelta(weeks=i) for i in range(count)]


def working_days(start: date, end: date, monday: date) -> int:
    """Working days (Mon-Fri) of the week starting `monday` inside [start, end]."""
    first, last = max(start, monday), min(end, monday + timedelta(days=WORKING_DAYS - 1))
    return max((last - first).days + 1, 0)


def hours_in_week(booking: Booking, monday: date) -> Decimal:
    days = working_days(booking.start_date, booking.end_date, monday)
    return booking.hours_per_week * days / WORKING_DAYS


def weekly_load(bookings: Iterable[Booking], mondays: list[date]
                ) -> dict[uuid.UUID, list[Decimal]]:
    """Each resource's allocated hours per week."""
    load: dict[uuid.UUID, list[Decimal]] = defaultdict(lambda: [ZERO] * len(mondays))
    for booking in bookings:
        for i, monday in enumerate(mondays):
            hours = hours_in_week(booking, monday)
            if hours:
                load[booking.resource_id][i] += hours
    return dict(load)


def over_allocated(bookings: Iterable[Booking], staff: Iterable[Staff], today: date,
                   weeks: int = WEEKS) -> set[uuid.UUID]:
    """The resources allocated more than their weekly capacity in any of the coming weeks."""
    capacity = {s.id: s.capacity_hours_per_week for s in staff}
    load = weekly_load(bookings, weeks_from(today, weeks))
    return {rid for rid, hours in load.items()
            if rid in capacity and any(h > capacity[rid] for h in hours)}


def resource_gaps(bookings: Iterable[Booking], staff: Iterable[Staff], today: date,
                  weeks: int = WEEKS) -> list[ResourceGap]:
    """The seniority levels short of hours over the coming `weeks`, largest gap first."""
    people = {s.id: s for s in staff}
    mondays = weeks_from(today, weeks)
    needed: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * weeks)
    for rid, hours in weekly_load(bookings, mondays).items():
        if rid in people:
            level = needed[people[rid].seniority_level]
            for i, h in enumerate(hours):
                level[i] += h
    available: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for person in people.values():
        if person.active:
            available[person.seniority_level] += person.capacity_hours_per_week
    gaps = []
    for level, hours in needed.items():
        short = [h - available[level] for h in hours if h > available[level]]
        if not short:
            continue
        total_gap = sum(short, ZERO)
        recommendation = ""
        if len(short) >= PERSISTENT_WEEKS:
            name = LEVEL_NAMES.get(level, level)
            article = "an" if name[:1] in "aeiou" else "a"
            recommendation = (f"Hire {article} {name} developer: "
                              f"{_whole(total_gap / len(short))} h/week short for "
                              f"{len(short)} of the next {weeks} weeks")
        gaps.append(ResourceGap(
            skill_level=level, hours_needed=_hours(sum(hours, ZERO)),
            hours_available=_hours(available[level] * weeks), gap_hours=_hours(total_gap),
            weeks_short=len(short), hiring_recommendation=recommendation))
    return sorted(gaps, key=lambda g: (-g.gap_hours, g.skill_level))
