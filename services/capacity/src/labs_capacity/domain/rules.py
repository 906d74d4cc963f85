"""Validation of what people ask capacity to record; each failure names the API field."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from labs_common.currency import currency_code
from labs_common.errors import InvalidArgument
from labs_common.parsing import decimal_of

MAX_WEEK_HOURS = Decimal("168")
MAX_DAY_HOURS = Decimal("24")
MAX_RATE = Decimal("1000000")
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
# An allocation or a stretch of time off longer than this is a typo, not a plan.
MAX_SPAN = timedelta(days=5 * 366)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_date(value: str, field: str, *, required: bool = True) -> date | None:
    if not value:
        if required:
            raise InvalidArgument.on(field, "is required (YYYY-MM-DD)")
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError as error:
        raise InvalidArgument.on(field, "must be a date YYYY-MM-DD") from error
    if not EARLIEST <= parsed <= LATEST:
        raise InvalidArgument.on(field, f"must be between {EARLIEST} and {LATEST}")
    return parsed


def parse_decimal(
    value: str,
    field: str,
    *,
    minimum: Decimal = Decimal("0"),
    maximum: Decimal,
    exclusive_minimum: bool = False,
) -> Decimal:
    parsed = decimal_of(value, field, places=2)
    if parsed < minimum or (exclusive_minimum and parsed == minimum):
        raise InvalidArgument.on(
            field, f"must be {'more than' if exclusive_minimum else 'at least'} {minimum}"
        )
    if parsed > maximum:
        raise InvalidArgument.on(field, f"must be at most {maximum}")
    return parsed


def parse_rate(value: str, field: str) -> Decimal:
    if not value:
        raise InvalidArgument.on(field, "is required")
    return parse_decimal(value, field, maximum=MAX_RATE)


def check_currency(value: str) -> str:
    return currency_code(value, "currency")


def check_name(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidArgument.on("name", "is required")
    if len(value) > 200:
        raise InvalidArgument.on("name", "must be at most 200 characters")
    return value


def check_email(value: str) -> str | None:
    value = (value or "").strip().lower()
    if not value:
        return None
    if len(value) > 320 or not _EMAIL.match(value):
        raise InvalidArgument.on("email", "is not an email address")
    return value


def check_working_days(days: list[int]) -> tuple[int, ...]:
    if not days:
        raise InvalidArgument.on("working_days", "must name at least one day")
    if any(not 1 <= d <= 7 for d in days):
        raise InvalidArgument.on("working_days", "days are 1 (Monday) to 7 (Sunday)")
    if len(set(days)) != len(days):
        raise InvalidArgument.on("working_days", "must not repeat a day")
    return tuple(sorted(days))


def check_skills(skills: list[str]) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(s.strip() for s in skills if s.strip()))
    if len(cleaned) > 50 or any(len(s) > 100 for s in cleaned):
        raise InvalidArgument.on("skills", "at most 50 skills of at most 100 characters")
    return cleaned


def check_range(start: date, end: date, end_field: str = "end_date") -> None:
    if end < start:
        raise InvalidArgument.on(end_field, "must not be before start_date")
    if end - start > MAX_SPAN:
        raise InvalidArgument.on(end_field, "must be within 5 years of start_date")
