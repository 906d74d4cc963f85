"""Week math: weeks start on Monday; a week is named by its Monday."""

from __future__ import annotations

from datetime import date, timedelta

MAX_WEEKS = 104
DEFAULT_WEEKS = 12


def week_start(day: date) -> date:
    """The Monday of the week `day` falls in."""
    return day - timedelta(days=day.weekday())


def week_starts(first: date, weeks: int) -> list[date]:
    """`weeks` consecutive Mondays from the week of `first` on."""
    monday = week_start(first)
    return [monday + timedelta(weeks=i) for i in range(weeks)]


def days_of_week(monday: date) -> list[date]:
    return [monday + timedelta(days=i) for i in range(7)]


def weeks_touching(start: date, end: date) -> list[date]:
    """Mondays of every week that has at least one day in [start, end]."""
    first, last = week_start(start), week_start(end)
    return [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
