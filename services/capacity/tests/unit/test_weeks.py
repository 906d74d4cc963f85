"""Week math: weeks start on Monday and are named by it."""

from __future__ import annotations

from datetime import date

from labs_capacity.domain.weeks import week_start, week_starts, weeks_touching


def test_every_day_of_a_week_belongs_to_its_monday():
    monday = date(2026, 3, 2)
    assert {week_start(date(2026, 3, d)) for d in range(2, 9)} == {monday}
    assert week_start(date(2026, 3, 1)) == date(2026, 2, 23)  # a Sunday ends the week before


def test_weeks_follow_each_other_across_a_year_end():
    assert week_starts(date(2026, 12, 31), 3) == [
        date(2026, 12, 28),
        date(2027, 1, 4),
        date(2027, 1, 11),
    ]


def test_a_range_touches_every_week_it_has_a_day_in():
    assert weeks_touching(date(2026, 3, 8), date(2026, 3, 9)) == [
        date(2026, 3, 2),
        date(2026, 3, 9),
    ]
    assert weeks_touching(date(2026, 3, 3), date(2026, 3, 4)) == [date(2026, 3, 2)]
