"""From CSV bytes to staged rows: a streaming reader (chunks → complete records → csv rows) and
the mapping of one parsed row to a staging record (person, project, rates, rounding,
fingerprint). Memory stays bounded by one chunk and one batch, whatever the file's size."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from labs_time.adapters.directory import PersonRates, Project, snapshot
from labs_time.domain.csv_formats import (
    HARVEST_EXPORT,
    KIMAI_EXPORT,
    ParsedRow,
    RowError,
)
from labs_time.domain.model import Rates
from labs_time.domain.rounding import RoundingRule, rule_for

SOURCES = {HARVEST_EXPORT: "harvest", KIMAI_EXPORT: "kimai"}


async def csv_records(chunks: AsyncIterator[bytes]) -> AsyncIterator[list[str]]:
    """Rows of a CSV arriving in byte chunks; a quoted field may span lines and chunks."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    pending = ""
    async for chunk in chunks:
        pending += decoder.decode(chunk)
        cut = _last_record_end(pending)
        if cut:
            for row in csv.reader(io.StringIO(pending[:cut])):
                yield row
            pending = pending[cut:]
    pending += decoder.decode(b"", final=True)
    if pending.strip():
        for row in csv.reader(io.StringIO(pending)):
            yield row


def _last_record_end(text: str) -> int:
    """Index just after the last newline that is outside quotes (0 when there is none)."""
    at = text.rfind("\n")
    while at != -1:
        if text.count('"', 0, at) % 2 == 0:
            return at + 1
        at = text.rfind("\n", 0, at)
    return 0


class References(Protocol):
    """What an import needs to know about the org: its people, projects, rates and rules."""

    settings: dict
    source_zone: object

    def person(self, row: ParsedRow) -> uuid.UUID | None: ...

    async def project(self, name: str) -> Project | str: ...

    async def rates(self, user_id: uuid.UUID, on: date) -> PersonRates: ...


@dataclass
class RowMapper:
    job_id: uuid.UUID
    org_id: uuid.UUID
    format: str
    refs: References
    _rules: dict[uuid.UUID, RoundingRule] = field(default_factory=dict)
    # Per-file caches: rows repeat the same people, projects and hours many times over.
    _rounded: dict[tuple, object] = field(default_factory=dict)
    _keys: dict[tuple, str] = field(default_factory=dict)

    def _rule(self, project_id: uuid.UUID) -> RoundingRule:
        if project_id not in self._rules:
            self._rules[project_id] = rule_for(self.refs.settings, str(project_id))
        return self._rules[project_id]

    async def record(self, row: ParsedRow) -> tuple | RowError:
        user_id = self.refs.person(row)
        if user_id is None:
            field = "email" if row.email else "first_name"
            return RowError(row.row, field, "no member of the organization has this "
                            + ("email" if row.email else "first and last name"))
        project = await self.refs.project(row.project)
        if isinstance(project, str):
            return RowError(row.row, "project", project)
        person = await self.refs.rates(user_id, row.date_worked)
        if row.billable_rate is not None or row.cost_rate is not None:
            rates = Rates(row.billable_rate, row.cost_rate, row.currency, "import")
        else:
            rates = snapshot(project, person)
        rounded = self._rounded.get((project.id, row.hours))
        if rounded is None:
            rounded = self._rule(project.id).apply(row.hours)
            self._rounded[(project.id, row.hours)] = rounded
        key = self._keys.get((user_id, project.id))
        if key is None:
            key = self._keys[(user_id, project.id)] = f"{user_id}|{project.id}"
        content = (f"{key}|{row.date_worked}|{row.hours}|{row.notes}|{row.billable}|"
                   f"{row.started_at and row.started_at.isoformat()}")
        digest = hashlib.blake2b(content.encode(), digest_size=16).hexdigest()
        return (
            self.job_id, self.org_id, row.row, digest, project.id, user_id,
            person.resource_id, row.date_worked, row.hours, rounded, row.started_at,
            row.ended_at, row.billable, rates.billable_rate, rates.cost_rate, rates.currency,
            rates.source, row.notes, SOURCES.get(self.format, "import"),
        )
