"""What callers ask the time service to do, one frozen dataclass per use case, built by the
servicer from the request (ids parsed there). Entries, timers, expenses and approvals take their
answers from other services before the transaction opens (service_layer/asked.py); their inputs
are the NewEntry, EntryChanges and ExpenseChanges of the service layer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


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
