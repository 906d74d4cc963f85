"""What callers ask the time service to do, one frozen dataclass per use case, built by the
servicer from the request (ids parsed there; amounts and dates stay the API's text, which the
domain rules validate so each failure names its field). What other services know is asked
before the transaction opens (service_layer/asked.py) and handed to the handler beside its
command."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ListBillableEntries:
    project_id: uuid.UUID
    period_start: str
    period_end: str


@dataclass(frozen=True)
class ReserveEntries:
    invoice_id: uuid.UUID
    project_id: uuid.UUID
    period_start: str
    period_end: str
    # Empty: every free billable entry of the project in the period.
    entry_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True)
class MarkEntriesInvoiced:
    invoice_id: uuid.UUID


@dataclass(frozen=True)
class ReleaseEntries:
    invoice_id: uuid.UUID


@dataclass(frozen=True)
class CreateImport:
    create_missing: bool


@dataclass(frozen=True)
class AppendImportChunk:
    job_id: uuid.UUID
    seq: int
    chunk: bytes


@dataclass(frozen=True)
class StartImport:
    job_id: uuid.UUID


@dataclass(frozen=True)
class GetImportJob:
    job_id: uuid.UUID


@dataclass(frozen=True)
class ExpenseChanges:
    """An expense's fields as given: all of them on create, the present ones on update."""

    description: str | None = None
    amount: str | None = None
    currency: str | None = None
    expense_date: str | None = None
    category: str | None = None
    billable: bool | None = None


@dataclass(frozen=True)
class RecordExpense:
    project_id: uuid.UUID
    fields: ExpenseChanges


@dataclass(frozen=True)
class GetExpense:
    expense_id: uuid.UUID


@dataclass(frozen=True)
class ListExpenses:
    project_id: uuid.UUID
    after: tuple | None
    limit: int


@dataclass(frozen=True)
class ChangeExpense:
    expense_id: uuid.UUID
    changes: ExpenseChanges
    if_match: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeleteExpense:
    expense_id: uuid.UUID
    if_match: tuple[str, ...] = ()


@dataclass(frozen=True)
class SubmitTimeEntries:
    date_from: str
    date_to: str


@dataclass(frozen=True)
class ApproveTimeEntries:
    user_id: uuid.UUID
    date_from: str
    date_to: str


@dataclass(frozen=True)
class RejectTimeEntries:
    user_id: uuid.UUID
    date_from: str
    date_to: str
    reason: str


@dataclass(frozen=True)
class ReopenTimeEntries:
    entry_ids: tuple[uuid.UUID, ...]
    reason: str


@dataclass(frozen=True)
class NewEntry:
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


@dataclass(frozen=True)
class GetTimeEntry:
    entry_id: uuid.UUID


@dataclass(frozen=True)
class ListTimeEntries:
    where: object  # adapters.repository.EntryFilter: which entries
    after: tuple | None
    limit: int


@dataclass(frozen=True)
class ChangeTimeEntry:
    entry_id: uuid.UUID
    changes: EntryChanges
    if_match: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeleteTimeEntry:
    entry_id: uuid.UUID
    if_match: tuple[str, ...] = ()


@dataclass(frozen=True)
class StartTimer:
    project_id: uuid.UUID
    task_id: uuid.UUID | None
    notes: str = ""


@dataclass(frozen=True)
class StopTimer:
    pass


@dataclass(frozen=True)
class GetCurrentTimer:
    pass
