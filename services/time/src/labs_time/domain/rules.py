"""Validation of what a person records: hours, start/end, dates, money. Pure; raises
InvalidArgument naming the field, so bad input is a 422 and never a partial write."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from labs_common.currency import currency_code
from labs_common.errors import InvalidArgument
from labs_common.parsing import decimal_of

HUNDREDTH = Decimal("0.01")
MAX_HOURS = Decimal(24)
# "A date inside sane bounds": nothing before 1990, nothing more than a year ahead.
EARLIEST_DATE = date(1990, 1, 1)
LATEST_AHEAD = timedelta(days=366)
EXPENSE_CATEGORIES = ("software", "travel", "equipment", "contractor", "other")
MAX_NOTES = 10_000


def hours(value: str, field: str = "hours") -> Decimal:
    """A positive number of hours, at most 24, kept to 2 decimals."""
    parsed = decimal_of(value, field, places=2)
    if parsed <= 0:
        raise InvalidArgument.on(field, "must be greater than 0")
    if parsed > MAX_HOURS:
        raise InvalidArgument.on(field, "must be at most 24 per entry")
    return parsed.quantize(HUNDREDTH)


def span_hours(started_at: datetime, ended_at: datetime) -> Decimal:
    """Hours between two instants, to 2 decimals; ended_at must be after started_at, ≤ 24 h."""
    if ended_at <= started_at:
        raise InvalidArgument.on("ended_at", "must be after started_at")
    seconds = Decimal((ended_at - started_at).total_seconds())
    if seconds > MAX_HOURS * 3600:
        raise InvalidArgument.on("ended_at", "must be at most 24 hours after started_at")
    return max(HUNDREDTH, (seconds / 3600).quantize(HUNDREDTH, rounding=ROUND_HALF_UP))


def parse_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise InvalidArgument.on(field, "must be a date YYYY-MM-DD") from error


def work_date(value: str, today: date, field: str = "date_worked") -> date:
    """A date inside sane bounds: from 1990-01-01 to a year after today."""
    parsed = parse_date(value, field)
    if parsed < EARLIEST_DATE or parsed > today + LATEST_AHEAD:
        raise InvalidArgument.on(
            field, f"must be between {EARLIEST_DATE} and {today + LATEST_AHEAD}"
        )
    return parsed


def date_range(date_from: str, date_to: str, today: date) -> tuple[date, date]:
    start = work_date(date_from, today, "date_from")
    end = work_date(date_to, today, "date_to")
    if end < start:
        raise InvalidArgument.on("date_to", "must not be before date_from")
    return start, end


def notes(value: str) -> str:
    if len(value) > MAX_NOTES:
        raise InvalidArgument.on("notes", f"must be at most {MAX_NOTES} characters")
    return value


def amount(value: str) -> Decimal:
    try:
        parsed = Decimal(value)
    except (InvalidOperation, TypeError) as error:
        raise InvalidArgument.on("amount", "must be a decimal number, e.g. \"120.50\"") from error
    if not parsed.is_finite() or parsed.as_tuple().exponent < -2:  # type: ignore[operator]
        raise InvalidArgument.on("amount", "must be a decimal with at most 2 decimals")
    if parsed <= 0:
        raise InvalidArgument.on("amount", "must be greater than 0")
    if parsed >= Decimal("1e12"):
        raise InvalidArgument.on("amount", "is too large")
    return parsed.quantize(HUNDREDTH)


def currency(value: str) -> str:
    return currency_code(value, "currency")


def category(value: str) -> str:
    if value not in EXPENSE_CATEGORIES:
        raise InvalidArgument.on("category", f"must be one of {', '.join(EXPENSE_CATEGORIES)}")
    return value


def description(value: str) -> str:
    if not value.strip():
        raise InvalidArgument.on("description", "must not be empty")
    if len(value) > 2000:
        raise InvalidArgument.on("description", "must be at most 2000 characters")
    return value.strip()


def reason(value: str) -> str:
    if not value.strip():
        raise InvalidArgument.on("reason", "must not be empty")
    if len(value) > 2000:
        raise InvalidArgument.on("reason", "must be at most 2000 characters")
    return value.strip()
