"""A stopped timer becomes one entry per local day, at most 24 hours in all."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from labs_time.domain.timers import timer_pieces

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_timer_within_one_day_is_one_entry():
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    (piece,) = timer_pieces(start, start + timedelta(hours=2, minutes=30), BERLIN)
    assert piece.hours == Decimal("2.50")
    assert piece.date_worked == date(2026, 3, 2)


def test_a_timer_across_local_midnight_is_split_into_two_days():
    start = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)  # 22:30 in Berlin
    pieces = timer_pieces(start, start + timedelta(hours=3), BERLIN)
    assert [(p.date_worked, p.hours) for p in pieces] == [
        (date(2026, 3, 2), Decimal("1.50")),
        (date(2026, 3, 3), Decimal("1.50")),
    ]
    assert pieces[0].ended_at == pieces[1].started_at


def test_a_forgotten_timer_counts_at_most_24_hours():
    start = datetime(2026, 3, 2, 8, tzinfo=UTC)
    pieces = timer_pieces(start, start + timedelta(days=3), ZoneInfo("UTC"))
    assert sum(p.hours for p in pieces) == Decimal("24.00")
    assert [p.date_worked for p in pieces] == [date(2026, 3, 2), date(2026, 3, 3)]


def test_a_timer_stopped_at_once_still_leaves_a_small_entry():
    start = datetime(2026, 3, 2, 8, tzinfo=UTC)
    (piece,) = timer_pieces(start, start + timedelta(seconds=5), ZoneInfo("UTC"))
    assert piece.hours == Decimal("0.01")
