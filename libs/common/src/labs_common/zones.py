"""An organization's time zone, and today there: due dates, issue dates, "this week" and the
day a margin is kept under are the organization's, not the server's (pure Python)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str) -> ZoneInfo:
    """The IANA zone `name`; UTC for an empty or unknown one."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def today_in(name: str) -> date:
    return datetime.now(zone(name)).date() if name else datetime.now(UTC).date()
