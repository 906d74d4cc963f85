"""What a stopped timer becomes.

The rule, as a person would expect from a timesheet:
- A timer counts at most 24 hours. One stopped later (left running over a weekend) is ended at
  started_at + 24 h; the rest is not time anyone worked.
- The time it ran is split at local midnight (the organization's timezone) into one entry per
  local day, so each day's timesheet shows what was worked on that day. The first piece keeps the
  timer's entry id; the others are new entries with the same project, task, notes and rates.
- A piece that rounds to 0.00 h (under 18 s) is dropped, except when the timer ran that briefly
  in all: then it records 0.01 h, so stopping a timer always leaves an entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

MAX_TIMER = timedelta(hours=24)
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Piece:
    date_worked: date
    started_at: datetime
    ended_at: datetime
    hours: Decimal


def _hours(start: datetime, end: datetime) -> Decimal:
    return (Decimal((end - start).total_seconds()) / 3600).quantize(
        HUNDREDTH, rounding=ROUND_HALF_UP
    )


def timer_pieces(started_at: datetime, stopped_at: datetime, zone: ZoneInfo) -> list[Piece]:
    """The entries a timer started at `started_at` and stopped at `stopped_at` becomes."""
    end = min(max(stopped_at, started_at), started_at + MAX_TIMER)
    pieces: list[Piece] = []
    cursor = started_at
    while True:
        local = cursor.astimezone(zone)
        next_midnight = datetime.combine(local.date() + timedelta(days=1), time(), zone)
        piece_end = min(end, next_midnight)
        hours = _hours(cursor, piece_end)
        if hours > 0:
            pieces.append(Piece(local.date(), cursor, piece_end, hours))
        if piece_end >= end:
            break
        cursor = piece_end
    if not pieces:
        pieces.append(Piece(started_at.astimezone(zone).date(), started_at, end, HUNDREDTH))
    return pieces
