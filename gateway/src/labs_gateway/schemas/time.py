"""Time entries, timers, approvals, expenses and import jobs as the API shows them. Hours are JSON
numbers (at most 2 decimals), money a decimal string with its currency, dates YYYY-MM-DD and
instants RFC 3339; the time service validates values and names the field that is wrong, so these
models check only shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from labs_gateway.schemas.common import RequestModel, UuidStr
from labs_gateway.schemas.proto_json import PublicModel

IsoDate = Annotated[str, Field(max_length=10, examples=["2026-03-31"])]
Instant = Annotated[str, Field(max_length=40, examples=["2026-03-31T09:00:00Z"])]
Notes = Annotated[str, Field(max_length=10_000)]
Hours = Annotated[float, Field(examples=[1.5], description="More than 0, at most 24.")]
Money = Annotated[str | float, Field(examples=["120.50"])]
Reason = Annotated[str, Field(max_length=2000)]
ExpenseCategory = Literal["software", "travel", "equipment", "contractor", "other"]


# Requests


class TimeEntryCreate(RequestModel):
    """`hours`, or `started_at` and `ended_at`."""

    hours: Hours | None = None
    started_at: Instant | None = None
    ended_at: Instant | None = None
    date_worked: IsoDate | None = Field(None, description="Default: the day it was worked.")
    billable: bool = True
    notes: Notes = ""
    task_id: UuidStr | None = None
    user_id: UuidStr | None = Field(None, description="Someone else's time: managers and up.")


class TimeEntryUpdate(RequestModel):
    """Only the fields present change; `task_id: null` clears the task."""

    hours: Hours = None  # type: ignore[assignment]
    started_at: Instant = None  # type: ignore[assignment]
    ended_at: Instant = None  # type: ignore[assignment]
    date_worked: IsoDate = None  # type: ignore[assignment]
    billable: bool = None  # type: ignore[assignment]
    notes: Notes = None  # type: ignore[assignment]
    task_id: UuidStr | None = None


class TimerStart(RequestModel):
    project_id: UuidStr
    task_id: UuidStr | None = None
    notes: Notes = ""


class TimesheetSubmit(RequestModel):
    date_from: IsoDate
    date_to: IsoDate


class TimesheetApprove(RequestModel):
    user_id: UuidStr
    date_from: IsoDate
    date_to: IsoDate


class TimesheetReject(TimesheetApprove):
    reason: Reason


class EntriesReopen(RequestModel):
    entry_ids: Annotated[list[UuidStr], Field(min_length=1, max_length=1000)]
    reason: Reason


class ExpenseCreate(RequestModel):
    description: Annotated[str, Field(max_length=2000)]
    amount: Money
    currency: Annotated[str, Field(max_length=3)] | None = Field(
        None, description="ISO 4217; default the project's currency.")
    expense_date: IsoDate | None = Field(None, description="Default today.")
    category: ExpenseCategory = "other"
    billable: bool = True


class ExpenseUpdate(RequestModel):
    description: Annotated[str, Field(max_length=2000)] = None  # type: ignore[assignment]
    amount: Money = None  # type: ignore[assignment]
    currency: Annotated[str, Field(max_length=3)] = None  # type: ignore[assignment]
    expense_date: IsoDate = None  # type: ignore[assignment]
    category: ExpenseCategory = None  # type: ignore[assignment]
    billable: bool = None  # type: ignore[assignment]


# Responses


class TimeEntryPublic(PublicModel):
    id: str
    project_id: str
    task_id: str | None
    user_id: str
    resource_id: str | None
    date_worked: str
    hours: float | None
    rounded_hours: float | None
    started_at: datetime | None
    ended_at: datetime | None
    is_running: bool
    billable: bool
    billable_rate: str | None
    cost_rate: str | None = Field(None, description="Absent for readers below manager.")
    currency: str | None
    rate_source: Literal["project", "resource", "import", "none"] = Field(
        description="Where the rates came from: the project's override, the person's rate on "
                    "that date, the imported file's own rates, or `none` (rates are null).")
    notes: str
    status: Literal["draft", "submitted", "approved"]
    is_locked: bool
    locked_reason: str | None
    invoice_id: str | None
    invoiced: bool
    source: str
    created_at: datetime | None
    updated_at: datetime | None


class TimeEntryList(BaseModel):
    time_entries: list[TimeEntryPublic]
    next_cursor: str | None


class TimeEntriesChanged(BaseModel):
    time_entries: list[TimeEntryPublic]


class ExpensePublic(PublicModel):
    id: str
    project_id: str
    user_id: str
    description: str
    amount: str
    currency: str
    expense_date: str
    category: str
    billable: bool
    invoice_id: str | None
    created_at: datetime | None
    updated_at: datetime | None


class ExpenseList(BaseModel):
    expenses: list[ExpensePublic]
    next_cursor: str | None


class ImportEntry(RequestModel):
    """One row of a JSON import, named like Harvest's import columns."""

    date: IsoDate
    project: Annotated[str, Field(min_length=1, max_length=200)]
    hours: Hours
    notes: Notes = ""
    client: Annotated[str, Field(max_length=200)] = ""
    task: Annotated[str, Field(max_length=200)] = ""
    email: Annotated[str, Field(max_length=254)] = ""
    first_name: Annotated[str, Field(max_length=100)] = ""
    last_name: Annotated[str, Field(max_length=100)] = ""


class ImportEntries(RequestModel):
    entries: Annotated[list[ImportEntry], Field(min_length=1, max_length=10_000)]
    create_missing: bool = False


class ImportAccepted(BaseModel):
    job_id: str


class ImportRowError(BaseModel):
    row: int = Field(description="The first data row is 1; 0 is the file as a whole.")
    field: str
    message: str


class ImportJobPublic(BaseModel):
    id: str
    status: Literal["queued", "running", "succeeded", "failed"]
    format: str | None = Field(description="harvest_import, harvest_export or kimai_export.")
    total: int
    processed: int
    imported: int
    errors: list[ImportRowError]
    created_at: datetime | None
    finished_at: datetime | None
