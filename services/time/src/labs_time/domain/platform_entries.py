"""A platform's entries (SyncExternalEntries) read as the CSV import reads rows: the bounds of a
call, the name an entry keeps for ever, and one entry turned into a `ParsedRow` or every field
it has wrong. Pure: no I/O."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import date
from decimal import Decimal

from labs_common.errors import FieldError, FieldErrors, InvalidArgument
from labs_common.parsing import decimal_of, uuid_of
from labs_time.domain import commands, rules
from labs_time.domain.csv_formats import ParsedRow

MAX_ENTRIES = 2000
MAX_WINDOW_DAYS = 400
MAX_EXTERNAL_ID = 200
SOURCE = re.compile(r"[a-z]{1,40}")
RATE_LIMIT = Decimal("1e12")  # rates are NUMERIC(14, 2)


def fingerprint(source: str, external_id: str) -> uuid.UUID:
    """The entry's key in the import's unique (org, fingerprint) index: the same on every call,
    so two calls bringing in one entry at the same time still make one entry."""
    return uuid.UUID(hashlib.md5(f"{source}:{external_id}".encode(),
                                 usedforsecurity=False).hexdigest())


def check_request(command: commands.SyncPlatformEntries) -> None:
    """What fails the whole call; a bad entry fails only itself (`parsed_row`)."""
    problems = FieldErrors()
    if not SOURCE.fullmatch(command.source):
        problems.errors.append(FieldError(
            "source", "must be the platform's name in lower-case letters, e.g. harvest"))
    if len(command.entries) > MAX_ENTRIES:
        problems.errors.append(FieldError("entries", f"at most {MAX_ENTRIES} a call"))
    window = command.reconcile
    if window is not None and window.date_to < window.date_from:
        problems.errors.append(FieldError("reconcile.date_to", "must not be before date_from"))
    elif window is not None and (window.date_to - window.date_from).days >= MAX_WINDOW_DAYS:
        problems.errors.append(FieldError("reconcile.date_to",
                                          f"a window is at most {MAX_WINDOW_DAYS} days"))
    problems.raise_any()


def _rounded(value: str) -> Decimal | None:
    """The platform's own rounding may round down to nothing, as Labs' `down` rule can."""
    if not value:
        return None
    hours = decimal_of(value, "rounded_hours", places=2)
    if not 0 <= hours <= rules.MAX_HOURS:
        raise InvalidArgument.on("rounded_hours", "must be from 0 to 24")
    return hours.quantize(rules.HUNDREDTH)


def _rate(value: str, field: str) -> Decimal | None:
    if not value:
        return None
    rate = decimal_of(value, field, places=2)
    if not 0 <= rate < RATE_LIMIT:
        raise InvalidArgument.on(field, "must be an amount from 0 to 999999999999.99")
    return rate.quantize(rules.HUNDREDTH)


def parsed_row(position: int, entry: commands.PlatformEntry, today: date) -> ParsedRow:
    """The entry as a CSV row would have parsed (with its project's id for a name), or
    InvalidArgument naming every wrong field; dates are bound as any entry's (`today` is the
    org's)."""
    problems = FieldErrors()
    if not entry.external_id.strip() or len(entry.external_id) > MAX_EXTERNAL_ID:
        problems.errors.append(FieldError(
            "external_id", f"the platform's id of the entry, 1 to {MAX_EXTERNAL_ID} characters"))
    if not entry.project_id:
        problems.errors.append(FieldError("project_id", "is required"))
    else:
        problems.check(lambda: uuid_of(entry.project_id, "project_id"))
    email, first, last = (entry.email.strip().lower(), entry.first_name.strip(),
                          entry.last_name.strip())
    if not (email or (first and last)):
        problems.errors.append(FieldError("email",
                                          "a person needs an email or a first and last name"))
    day = problems.check(lambda: rules.work_date(entry.date_worked, today))
    hours = problems.check(lambda: rules.hours(entry.hours))
    rounded = problems.check(lambda: _rounded(entry.rounded_hours))
    notes = problems.check(lambda: rules.notes(entry.notes))
    billable_rate = problems.check(lambda: _rate(entry.billable_rate, "billable_rate"))
    cost_rate = problems.check(lambda: _rate(entry.cost_rate, "cost_rate"))
    # A currency goes with the platform's own rates only: Labs' rate rule brings its own.
    priced = bool(entry.billable_rate or entry.cost_rate)
    currency = problems.check(
        lambda: rules.currency(entry.currency) if priced and entry.currency else None)
    problems.raise_any()
    assert day is not None and hours is not None and notes is not None
    return ParsedRow(position, day, entry.project_id, hours, notes, email, first, last,
                     billable=entry.billable, billable_rate=billable_rate, cost_rate=cost_rate,
                     currency=currency, rounded_hours=rounded, approved=entry.approved)
