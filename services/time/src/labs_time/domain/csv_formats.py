"""CSV formats an agency brings from elsewhere, detected by their header row, and one row of each
turned into a `ParsedRow`, or a `BadRow` listing every column that is wrong and why (not only
the first). Pure: no I/O.

- Harvest's 8-column import: Date, Client, Project, Task, Notes, Hours, First name, Last name
  (an extra Email column is accepted and preferred for matching people).
- Harvest's detailed time export: Date, Client, Project, Project Code, Task, Notes, Hours,
  Hours Rounded, Billable?, Invoiced?, Approved?, First Name, Last Name, ..., Billable Rate,
  Cost Rate, Currency. Its rates are the history's own and are kept as the snapshot; its Hours
  Rounded become the entry's rounded hours (instead of the org's rounding rule) and Approved?
  (Yes/No) says whether the entry lands approved and locked. Both columns are read in Harvest's
  import too when a file has them.
- Kimai's export: Date, From, To, Duration, ..., User / Name / E-mail, Customer, Project,
  Activity, Description, Billable.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from labs_common.currency import is_currency_code

HARVEST_IMPORT = "harvest_import"
HARVEST_EXPORT = "harvest_export"
KIMAI_EXPORT = "kimai_export"
HUNDREDTH = Decimal("0.01")


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9?]+", " ", name.strip().lower()).strip()


@dataclass(frozen=True)
class Header:
    format: str
    # Normalized column name → position.
    columns: dict[str, int]

    def get(self, row: Sequence[str], *names: str) -> str:
        for name in names:
            index = self.columns.get(name)
            if index is not None and index < len(row):
                return row[index].strip()
        return ""

    def getter(self, *names: str):
        """A fast accessor for the first of `names` the file has (resolved once per file)."""
        index = next((self.columns[n] for n in names if n in self.columns), None)
        if index is None:
            return lambda row: ""
        return lambda row: row[index].strip() if index < len(row) else ""


def detect(header_row: Sequence[str]) -> Header | None:
    """The format a header row announces, or None when it is none we read."""
    columns = {_key(name): i for i, name in enumerate(header_row)}
    names = set(columns)
    if {"date", "from", "to", "duration", "project", "activity"} <= names:
        return Header(KIMAI_EXPORT, columns)
    if {"date", "project", "hours", "first name", "last name"} <= names:
        if {"project code", "hours rounded"} & names or "billable?" in names:
            return Header(HARVEST_EXPORT, columns)
        return Header(HARVEST_IMPORT, columns)
    return None


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    field: str
    message: str


@dataclass(slots=True)
class BadRow:
    """A row that did not parse: every problem found, and whom and what it names, so that the
    worker can check those as well and report everything wrong with the row at once."""

    row: int
    errors: list[RowError]
    project: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass(slots=True)
class ParsedRow:
    row: int
    date_worked: date
    project: str
    hours: Decimal
    notes: str
    email: str
    first_name: str
    last_name: str
    billable: bool = True
    started_at: datetime | None = None
    ended_at: datetime | None = None
    # From the file itself (Harvest's export); None means "apply our rate rule".
    billable_rate: Decimal | None = None
    cost_rate: Decimal | None = None
    currency: str | None = None
    # Harvest's Hours Rounded (None: apply the org's rounding rule) and Approved?.
    rounded_hours: Decimal | None = None
    approved: bool = False


class _Bad(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def parse_date(value: str) -> date:
    if not value:
        raise _Bad("date", "is required")
    try:
        return date.fromisoformat(value)  # the common case, far cheaper than strptime
    except ValueError:
        pass
    for pattern in ("%m/%d/%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise _Bad("date", "must be a date like 2026-03-31")


@functools.lru_cache(maxsize=4096)  # a file repeats the same few hundred durations
def parse_hours(value: str, field: str = "hours") -> Decimal:
    """Decimal hours ("1.5", "1,5") or h:mm(:ss) ("1:30"), more than 0 and at most 24."""
    if not value:
        raise _Bad(field, "is required")
    try:
        if ":" in value:
            parts = [int(p) for p in value.split(":")]
            if len(parts) not in (2, 3) or any(p < 0 for p in parts) or parts[1] >= 60:
                raise ValueError(value)
            seconds = parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) == 3 else 0)
            hours = Decimal(seconds) / 3600
        else:
            hours = Decimal(value if "," not in value else value.replace(",", "."))
    except (ValueError, InvalidOperation):
        raise _Bad(field, "must be hours like 1.5 or 1:30") from None
    if not hours.is_finite():
        raise _Bad(field, "must be hours like 1.5 or 1:30")
    hours = hours.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    if hours <= 0:
        raise _Bad(field, "must be greater than 0")
    if hours > 24:
        raise _Bad(field, "must be at most 24 per entry")
    return hours


def _money(value: str, field: str) -> Decimal | None:
    if not value:
        return None
    try:
        amount = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise _Bad(field, "must be a decimal amount") from None
    if not amount.is_finite() or amount < 0:
        raise _Bad(field, "must be a decimal amount")
    return amount.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def _yes(value: str, default: bool = True) -> bool:
    if not value:
        return default
    return value.strip().lower() in ("yes", "y", "true", "1", "billable")


_YES_NO = {"yes": True, "y": True, "true": True, "1": True,
           "no": False, "n": False, "false": False, "0": False}


def _approved(value: str) -> bool:
    """Harvest's Approved?: Yes or No (empty is No)."""
    if not value:
        return False
    answer = _YES_NO.get(value.lower())
    if answer is None:
        raise _Bad("approved", "must be Yes or No")
    return answer


def _clock(day: date, value: str, field: str, zone) -> datetime:
    for pattern in ("%H:%M", "%H:%M:%S"):
        try:
            parsed = datetime.strptime(value, pattern).time()
            break
        except ValueError:
            continue
    else:
        raise _Bad(field, "must be a time like 09:30")
    return datetime.combine(day, time(parsed.hour, parsed.minute, parsed.second), zone)


def parse_row(header: Header, row: Sequence[str], number: int, zone) -> ParsedRow | BadRow:
    """Row `number` (the first data row is 1) of a file with `header`; times are in `zone`."""
    return RowParser(header, zone).parse(row, number)


class RowParser:
    """Parses the rows of one file; column positions are resolved once, not per row. Every field
    is checked even after one is wrong (a `try` costs nothing until it catches, so a good row
    pays nothing for it), and a bad row names all of its problems at once."""

    def __init__(self, header: Header, zone) -> None:
        self.format = header.format
        self._zone = zone
        g = header.getter
        self._date, self._project, self._hours = g("date"), g("project"), g("hours")
        self._notes = g("description") if header.format == KIMAI_EXPORT else g("notes")
        self._email = g("email", "e mail")
        self._first, self._last = g("first name"), g("last name")
        self._kimai_name = g("name", "user")
        self._from, self._to, self._duration = g("from"), g("to"), g("duration")
        self._billable = g("billable") if header.format == KIMAI_EXPORT else g("billable?")
        self._billable_rate, self._cost_rate = g("billable rate"), g("cost rate")
        self._currency = g("currency")
        self._rounded, self._approved = g("hours rounded"), g("approved?")
        # Most files have neither column: their rows skip both.
        self._reads_rounding = "hours rounded" in header.columns
        self._reads_approval = "approved?" in header.columns

    def parse(self, row: Sequence[str], number: int) -> ParsedRow | BadRow:
        if self.format == KIMAI_EXPORT:
            return self._kimai(row, number)
        return self._harvest(row, number)

    def _kimai(self, row: Sequence[str], number: int) -> ParsedRow | BadRow:
        bad: list[_Bad] = []
        try:
            day = parse_date(self._date(row))
        except _Bad as error:
            bad.append(error)
            day = _ANY_DAY  # the span's clock times are still checked
        project = self._project(row)
        if not project:
            bad.append(_Bad("project", "is required"))
        first, _, last = self._kimai_name(row).partition(" ")
        email = self._email(row).lower()
        if not (email or (first and last)):
            bad.append(_Bad("email", "a person needs an E-mail or a first and last Name"))
        started = ended = None
        start_text, end_text = self._from(row), self._to(row)
        try:
            if start_text and end_text:
                started = _clock(day, start_text, "from", self._zone)
                ended = _clock(day, end_text, "to", self._zone)
                if ended <= started:
                    raise _Bad("to", "must be after from")
                hours = parse_hours(str(Decimal((ended - started).total_seconds()) / 3600), "to")
            else:
                hours = parse_hours(self._duration(row), "duration")
        except _Bad as error:
            bad.append(error)
        if bad:
            return _bad_row(number, bad, project, email, first, last)
        return ParsedRow(
            number, day, project, hours, self._notes(row), email, first, last,
            billable=_yes(self._billable(row)), started_at=started, ended_at=ended)

    def _harvest(self, row: Sequence[str], number: int) -> ParsedRow | BadRow:
        bad: list[_Bad] = []
        try:
            day = parse_date(self._date(row))
        except _Bad as error:
            bad.append(error)
        project = self._project(row)
        if not project:
            bad.append(_Bad("project", "is required"))
        first, last, email = self._first(row), self._last(row), self._email(row).lower()
        if not (email or (first and last)):
            bad.append(_Bad("first_name", "a person needs an email or a first and last name"))
        try:
            hours = parse_hours(self._hours(row))
        except _Bad as error:
            bad.append(error)
        rounded, approved = None, False
        if self._reads_rounding and (rounded_text := self._rounded(row)):
            try:
                rounded = parse_hours(rounded_text, "hours_rounded")
            except _Bad as error:
                bad.append(error)
        if self._reads_approval:
            try:
                approved = _approved(self._approved(row))
            except _Bad as error:
                bad.append(error)
        if self.format == HARVEST_IMPORT:
            if bad:
                return _bad_row(number, bad, project, email, first, last)
            return ParsedRow(number, day, project, hours, self._notes(row), email, first, last,
                             rounded_hours=rounded, approved=approved)
        currency_text = self._currency(row)
        currency = None
        if currency_text:
            # Harvest writes "United States Dollar - USD": the code is the last three letters.
            if is_currency_code(code := currency_text.rstrip()[-3:]):
                currency = code.upper()
            else:
                bad.append(_Bad("currency", "must end in an ISO 4217 currency code, e.g. EUR"))
        try:
            billable_rate = _money(self._billable_rate(row), "billable_rate")
        except _Bad as error:
            bad.append(error)
        try:
            cost_rate = _money(self._cost_rate(row), "cost_rate")
        except _Bad as error:
            bad.append(error)
        if bad:
            return _bad_row(number, bad, project, email, first, last)
        return ParsedRow(
            number, day, project, hours, self._notes(row), email, first, last,
            billable=_yes(self._billable(row)), billable_rate=billable_rate,
            cost_rate=cost_rate, currency=currency, rounded_hours=rounded, approved=approved)


# A stand-in date for checking a row's clock times when its own date is wrong.
_ANY_DAY = date(2000, 1, 3)


def _bad_row(number: int, bad: list[_Bad], project: str, email: str, first: str,
             last: str) -> BadRow:
    return BadRow(number, [RowError(number, error.field, error.message) for error in bad],
                  project, email, first, last)
