"""From CSV bytes to staged rows: a streaming reader (chunks → complete records → csv rows) and
the mapping of one parsed row to a staging record (person, project, rates, rounding,
fingerprint). Memory stays bounded by one chunk and one batch, whatever the file's size."""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import io
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from labs_time.adapters.directory import PersonRates, Project, snapshot
from labs_time.adapters.import_references import Person
from labs_time.adapters.import_staging import StagedEntry
from labs_time.domain.csv_formats import (
    HARVEST_EXPORT,
    KIMAI_EXPORT,
    BadRow,
    ParsedRow,
    RowError,
)
from labs_time.domain.model import Rates
from labs_time.domain.occurrences import Occurrences
from labs_time.domain.ordered_ids import OrderedIds
from labs_time.domain.rounding import RoundingRule, rule_for

SOURCES = {HARVEST_EXPORT: "harvest", KIMAI_EXPORT: "kimai"}


def source_of(format: str) -> str:
    return SOURCES.get(format, "import")


@functools.lru_cache(maxsize=4096)  # rows and their events repeat the same days
def date_text(day: date) -> str:
    return day.isoformat()


async def csv_blocks(chunks: AsyncIterator[bytes]) -> AsyncIterator[Iterator[list[str]]]:
    """The rows of a CSV arriving in byte chunks, an iterator per chunk: an async step per row
    would cost more than parsing it, and rows made one at a time die young, where a list of a
    chunk's rows would outlive two garbage-collector generations and make full collections
    frequent. A quoted field may span lines and chunks."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    pending = ""
    async for chunk in chunks:
        pending += decoder.decode(chunk)
        cut = _last_record_end(pending)
        if cut:
            yield csv.reader(io.StringIO(pending[:cut]))
            pending = pending[cut:]
    pending += decoder.decode(b"", final=True)
    if pending.strip():
        yield csv.reader(io.StringIO(pending))


def _last_record_end(text: str) -> int:
    """Index just after the last newline that is outside quotes (0 when there is none)."""
    at = text.rfind("\n")
    while at != -1:
        if text.count('"', 0, at) % 2 == 0:
            return at + 1
        at = text.rfind("\n", 0, at)
    return 0


class References(Protocol):
    """What an import needs to know about the org: its people (members and resources),
    projects, rates and rules. Only a project name may need a call out (to resolve or create
    it); the rest is in memory."""

    settings: dict
    source_zone: object
    create_missing: bool

    def person(self, row: ParsedRow | BadRow) -> Person | None: ...

    async def project(self, name: str) -> Project | str: ...

    def rates(self, person: Person, on: date) -> PersonRates: ...


@dataclass(slots=True, eq=False)
class _Pair:
    """What every row of one person on one project shares, worked out once per file."""

    project: Project
    project_id: str
    person: Person
    user_text: str | None  # None for a resource without a login
    content_key: str
    rule: RoundingRule
    # hours → (hours, rounded hours) in hundredths, and the hours' text in the content hash
    hours: dict[Decimal, tuple[int, int, str]] = field(default_factory=dict)


# Caches, not records: a file of endless distinct names or rates empties them instead of growing
# them without end (a real file has a few hundred pairs and rate periods).
PAIRS_KEPT = 50_000
SNAPSHOTS_KEPT = 10_000


class RowMapper:
    """Turns the parsed rows of one file, in order, into staged entries. Rows repeat the same
    people, projects, hours, dates and rates many times over, so all of that is worked out once
    and looked up by keys that hash cheaply (strings, and objects by identity)."""

    def __init__(self, refs: References) -> None:
        self._refs = refs
        self._occurrences = Occurrences()
        self._ids = OrderedIds()
        self._pairs: dict[tuple[str, str, str, str], _Pair | list[RowError]] = {}
        self._snapshots: dict[tuple, tuple] = {}
        self._hundredths: dict[Decimal, int] = {}

    def _scaled(self, amount: Decimal | None) -> int | None:
        """`amount` (two decimal places) in hundredths."""
        if amount is None:
            return None
        scaled = self._hundredths.get(amount)
        if scaled is None:
            scaled = self._hundredths[amount] = int(amount.scaleb(2))
        return scaled

    async def _pair(self, row: ParsedRow) -> _Pair | list[RowError]:
        person, project, problems = await self._references(row)
        if problems:
            return problems
        user_id = person.user_id
        # A member's rows hash by their user id (as they always have), a login-less resource's
        # by its resource id.
        who = str(user_id) if user_id is not None else f"resource:{person.resource_id}"
        return _Pair(project, str(project.id), person, user_id and str(user_id),
                     f"{who}|{project.id}", rule_for(self._refs.settings, str(project.id)))

    async def _references(self, row: ParsedRow | BadRow):
        """(person, project, problems) of a row: nobody of the org has its email or name (among
        members and resources), its project is none of the org's or is archived."""
        problems = []
        person = project = None
        if row.email or (row.first_name and row.last_name):
            person = self._refs.person(row)
            if person is None:
                problems.append(RowError(
                    row.row, "email" if row.email else "first_name",
                    "no member or resource of the organization has this "
                    + ("email" if row.email else "first and last name")))
        # With create_missing a project is resolved only for a row that imports: resolving
        # would create it.
        importing = not problems and isinstance(row, ParsedRow)
        if row.project and (importing or not self._refs.create_missing):
            project = await self._refs.project(row.project)
            if isinstance(project, str):
                problems.append(RowError(row.row, "project", project))
        return person, project, problems

    async def explain(self, row: BadRow) -> list[RowError]:
        """Every problem of a row that did not parse: its own, then those of whom and what it
        names."""
        _person, _project, problems = await self._references(row)
        return row.errors + problems if problems else row.errors

    def _snapshot(self, pair: _Pair, person: PersonRates, row: ParsedRow) -> tuple:
        """(resource, billable cents, cost cents, currency, source) of a row."""
        if row.billable_rate is not None or row.cost_rate is not None:
            rates = Rates(row.billable_rate, row.cost_rate, row.currency, "import")
        else:
            rates = snapshot(pair.project, person)
        return (person.resource_id and str(person.resource_id),
                self._scaled(rates.billable_rate), self._scaled(rates.cost_rate),
                rates.currency, rates.source)

    def _hours(self, pair: _Pair, hours: Decimal) -> tuple[int, int, str]:
        found = pair.hours[hours] = (self._scaled(hours), self._scaled(pair.rule.apply(hours)),
                                     str(hours))
        return found

    async def record(self, row: ParsedRow) -> StagedEntry | list[RowError]:
        """The row's staged entry, or every problem with whom and what it names."""
        who = (row.email, row.first_name, row.last_name, row.project)
        pair = self._pairs.get(who)
        if pair is None:
            if len(self._pairs) >= PAIRS_KEPT:
                self._pairs.clear()
            pair = self._pairs[who] = await self._pair(row)
        if isinstance(pair, list):
            return [RowError(row.row, error.field, error.message) for error in pair]
        day = row.date_worked
        person = self._refs.rates(pair.person, day)
        key = (pair, person, row.billable_rate, row.cost_rate, row.currency)
        rates = self._snapshots.get(key)
        if rates is None:
            if len(self._snapshots) >= SNAPSHOTS_KEPT:
                self._snapshots.clear()
            rates = self._snapshots[key] = self._snapshot(pair, person, row)
        hours, rounded, hours_text = pair.hours.get(row.hours) or self._hours(pair, row.hours)
        if row.rounded_hours is not None:  # the file's own rounding (Harvest's Hours Rounded)
            rounded = self._scaled(row.rounded_hours)
        started = row.started_at
        content = (f"{pair.content_key}|{date_text(day)}|{hours_text}|{row.notes}|{row.billable}|"
                   f"{started and started.isoformat()}")
        digest = hashlib.blake2b(content.encode(), digest_size=16).digest()
        # The md5 of "<content hash>#<occurrence>": the form migration 0005 gave earlier imports.
        fingerprint = hashlib.md5(
            f"{digest.hex()}#{self._occurrences.count(digest)}".encode(), usedforsecurity=False
        ).hexdigest()
        resource_id, billable_rate, cost_rate, currency, rate_source = rates
        return StagedEntry(
            self._ids.next(), fingerprint, pair.project_id, pair.user_text, resource_id, day,
            hours, rounded, started, row.ended_at, row.billable, billable_rate, cost_rate,
            currency, rate_source, row.notes, row.approved)
