"""Time's own request mapping on top of labs_common.parsing: a date a person records must fall
within time's bounds (see domain/rules.py), so a malformed or absurd one is a 422 naming it."""

from __future__ import annotations

from datetime import date

from labs_time.domain import rules


def opt_date(value: str, field: str) -> date | None:
    return rules.parse_date(value, field) if value else None
