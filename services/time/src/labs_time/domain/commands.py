"""What callers ask the time service to do, one frozen dataclass per use case, built by the
servicer from the request (ids parsed there; amounts and dates stay the API's text, which the
domain rules validate so each failure names its field). What other services know is asked
before the transaction opens (service_layer/asked.py) and handed to the handler beside its
command."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from labs_common.commands import ById, Command


class ListBillableEntries(Command):
    project_id: uuid.UUID
    period_start: str
    period_end: str
    # Also the project's free billable expenses dated in the period.
    include_expenses: bool = False


class ReserveEntries(Command):
    invoice_id: uuid.UUID
    project_id: uuid.UUID
    period_start: str
    period_end: str
    # Empty: every free billable entry of the project in the period.
    entry_ids: tuple[uuid.UUID, ...] = ()
    # Also every free billable expense of the project dated in the period.
    include_expenses: bool = False


class MarkEntriesInvoiced(ById):
    pass


class ReleaseEntries(ById):
    pass


class CreateImport(Command):
    create_missing: bool


@dataclass(frozen=True)
class PlatformEntry:
    """One entry as a platform has it (SyncExternalEntries' ExternalEntry), text as the API
    gave it: each entry is validated on its own, and a bad one fails only itself."""

    external_id: str
    project_id: str
    email: str
    first_name: str
    last_name: str
    date_worked: str
    hours: str
    rounded_hours: str
    notes: str
    billable: bool
    billable_rate: str
    cost_rate: str
    currency: str
    approved: bool


@dataclass(frozen=True)
class Reconcile:
    """The platform's whole list of ids of the entries dated in [date_from, date_to]."""

    date_from: date
    date_to: date
    external_ids: tuple[str, ...]


class SyncPlatformEntries(Command):
    """SyncExternalEntries: `source` is the platform ("harvest")."""

    source: str
    entries: tuple[PlatformEntry, ...]
    reconcile: Reconcile | None = None


class AppendImportChunk(Command):
    job_id: uuid.UUID
    seq: int
    chunk: bytes


class StartImport(ById):
    pass


class GetImportJob(ById):
    pass


@dataclass(frozen=True)
class ExpenseChanges:
    """An expense's fields as given: all of them on create, the present ones on update."""

    description: str | None = None
    amount: str | None = None
    currency: str | None = None
    expense_date: str | None = None
    category: str | None = None
    billable: bool | None = None


class RecordExpense(Command):
    project_id: uuid.UUID
    fields: ExpenseChanges


class GetExpense(ById):
    pass


class ListExpenses(Command):
    project_id: uuid.UUID
    after: tuple | None
    limit: int


class ChangeExpense(Command):
    expense_id: uuid.UUID
    changes: ExpenseChanges
    if_match: tuple[str, ...] = ()


class DeleteExpense(Command):
    expense_id: uuid.UUID
    if_match: tuple[str, ...] = ()


class SubmitTimeEntries(Command):
    date_from: str
    date_to: str


class ApproveTimeEntries(Command):
    user_id: uuid.UUID
    date_from: str
    date_to: str


class RejectTimeEntries(Command):
    user_id: uuid.UUID
    date_from: str
    date_to: str
    reason: str


class ReopenTimeEntries(Command):
    entry_ids: tuple[uuid.UUID, ...]
    reason: str


class NewEntry(Command):
    """A time entry as recorded: hours, or a start and an end (the hours are then measured)."""

    project_id: uuid.UUID
    user_id: uuid.UUID | None
    task_id: uuid.UUID | None
    date_worked: str
    hours: str
    started_at: datetime | None
    ended_at: datetime | None
    billable: bool
    notes: str
    # The resource whose time this is (with its rates), one without a login too.
    resource_id: uuid.UUID | None = None


@dataclass(frozen=True)
class EntryChanges:
    """Only the fields a PATCH named (None = not given)."""

    task_id: uuid.UUID | str | None = None  # "" clears it
    date_worked: str | None = None
    hours: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    billable: bool | None = None
    notes: str | None = None


class GetTimeEntry(ById):
    pass


class ListTimeEntries(Command):
    where: object  # adapters.repository.EntryFilter: which entries
    after: tuple | None
    limit: int


class ChangeTimeEntry(Command):
    entry_id: uuid.UUID
    changes: EntryChanges
    if_match: tuple[str, ...] = ()


class DeleteTimeEntry(Command):
    entry_id: uuid.UUID
    if_match: tuple[str, ...] = ()


class StartTimer(Command):
    project_id: uuid.UUID
    task_id: uuid.UUID | None
    notes: str = ""


class StopTimer(Command):
    pass


class GetCurrentTimer(Command):
    pass
