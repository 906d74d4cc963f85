"""What a platform's version of an entry changes in Labs. Only what the platform says is
compared: a synced entry is reread by every nightly reconcile, so what Labs worked out itself
when it recorded the entry (its rate snapshot, its rounding) is left as it is unless the platform
gives its own, or the hours, project or person change. Approval goes one way: the platform's
approval approves (and locks) the entry; an entry approved in Labs stays approved."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any, NamedTuple

from labs_time.adapters.import_staging import StagedEntry
from labs_time.domain.model import APPROVED, Rates, TimeEntry


class Incoming(NamedTuple):
    """One entry of the call, staged as the import stages a row."""

    external_id: str
    record: StagedEntry
    rounding_given: bool  # the platform's own rounded hours
    rates_given: bool  # the platform's own rates


# The fields an edit may change, by the names events carry (EntryChanged.changed_fields).
COMPARED: tuple[tuple[str, Callable[[TimeEntry], Any]], ...] = (
    ("project_id", lambda e: e.project_id),
    ("user_id", lambda e: e.user_id),
    ("resource_id", lambda e: e.resource_id),
    ("date_worked", lambda e: e.date_worked),
    ("hours", lambda e: e.hours),
    ("rounded_hours", lambda e: e.rounded_hours),
    ("notes", lambda e: e.notes),
    ("billable", lambda e: e.billable),
    ("billable_rate", lambda e: e.rates.billable_rate),
    ("cost_rate", lambda e: e.rates.cost_rate),
    ("currency", lambda e: e.rates.currency),
    ("rate_source", lambda e: e.rates.source),
    ("status", lambda e: e.status),
)


def _id(text: str | None) -> uuid.UUID | None:
    return None if text is None else uuid.UUID(text)


def _hundredths(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value).scaleb(-2)


def revision(entry: TimeEntry, incoming: Incoming) -> tuple[TimeEntry, list[str]]:
    """`entry` as the platform has it now, and the names of the fields that differ."""
    staged = incoming.record
    project_id, user_id = uuid.UUID(staged.project_id), _id(staged.user_id)
    # A member is the same person whatever resource capacity links to them now.
    person = (user_id,) if user_id is not None else (None, _id(staged.resource_id))
    was = (entry.user_id,) if entry.user_id is not None else (None, entry.resource_id)
    moved = project_id != entry.project_id or person != was
    hours = _hundredths(staged.hours)
    revised = replace(entry, project_id=project_id, date_worked=staged.date_worked,
                      hours=hours, notes=staged.notes, billable=staged.billable)
    if person != was:
        revised.user_id, revised.resource_id = user_id, _id(staged.resource_id)
    if incoming.rounding_given or moved or hours != entry.hours:
        revised.rounded_hours = _hundredths(staged.rounded_hours)
    if incoming.rates_given or moved or entry.rates.source == "import":
        revised.rates = Rates(_hundredths(staged.billable_rate), _hundredths(staged.cost_rate),
                              staged.currency, staged.rate_source)
    if staged.approved and entry.status != APPROVED:
        revised.status, revised.is_locked, revised.locked_reason = APPROVED, True, "approved"
    return revised, [name for name, read in COMPARED if read(revised) != read(entry)]


def held(entry: TimeEntry) -> str | None:
    """Why Labs keeps the entry as it is, if it does."""
    if entry.invoiced:
        return "invoiced in Labs: left as it is"
    if entry.invoice_id is not None:
        return "on an invoice being drafted in Labs: left as it is"
    if entry.is_locked:
        return "approved and locked in Labs: left as it is (an admin can reopen it)"
    if entry.is_running:
        return "a running timer in Labs: left as it is"
    return None
