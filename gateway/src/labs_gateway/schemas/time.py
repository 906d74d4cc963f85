"""Time entries, timers, approvals, expenses and import jobs as the API shows them. Hours are JSON
numbers (at most 2 decimals), money a decimal string with its currency, dates YYYY-MM-DD and
instants RFC 3339; the time service validates values and names the field that is wrong, so these
models check only shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from labs_gateway.schemas.common import (
    CurrencyCode,
    IsoDate,
    RequestModel,
    UuidStr,
    decimal_type,
)
from labs_gateway.schemas.proto_json import PublicModel

Instant = Annotated[str, Field(max_length=40, examples=["2026-03-31T09:00:00Z"],
                               json_schema_extra={"format": "date-time"})]
Notes = Annotated[str, Field(max_length=10_000)]
Hours = decimal_type(maximum=24, exclusive_minimum=True, strings=False, example="1.5",
                     description="Hours worked, a JSON number.")
Money = decimal_type(maximum=999_999_999_999, example="120.50",
                     description="An amount, a decimal string or a JSON number.")
Reason = Annotated[str, Field(max_length=2000)]
ExpenseCategory = Literal["software", "travel", "equipment", "contractor", "other"]


# Requests


class TimeEntryCreate(RequestModel):
    """`hours`, or `started_at` and `ended_at`; `user_id` or `resource_id` to log for someone
    else (managers and up), e.g. a contractor without a login."""

    ORDERED = (("started_at", "ended_at", "must be after started_at"),)

    hours: Hours | None = None
    started_at: Instant | None = None
    ended_at: Instant | None = None
    date_worked: IsoDate | None = Field(None, description="Default: the day it was worked.")
    billable: bool = True
    notes: Notes = ""
    task_id: UuidStr | None = None
    user_id: UuidStr | None = Field(None, description="Someone else's time: managers and up.")
    resource_id: UuidStr | None = Field(
        None, description="The resource whose time this is (with its rates), including one "
                          "without a login; someone else's: managers and up.")


class TimeEntryUpdate(RequestModel):
    """Only the fields present change; `task_id: null` clears the task."""

    ORDERED = (("started_at", "ended_at", "must be after started_at"),)

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


FROM_BEFORE_TO = (("date_from", "date_to", "must not be before date_from"),)


class TimesheetSubmit(RequestModel):
    ORDERED = FROM_BEFORE_TO

    date_from: IsoDate
    date_to: IsoDate


class TimesheetApprove(RequestModel):
    ORDERED = FROM_BEFORE_TO

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
    currency: CurrencyCode | None = Field(
        None, description="ISO 4217; default the project's currency.")
    expense_date: IsoDate | None = Field(None, description="Default today.")
    category: ExpenseCategory = "other"
    billable: bool = True


class ExpenseUpdate(RequestModel):
    description: Annotated[str, Field(max_length=2000)] = None  # type: ignore[assignment]
    amount: Money = None  # type: ignore[assignment]
    currency: CurrencyCode = None  # type: ignore[assignment]
    expense_date: IsoDate = None  # type: ignore[assignment]
    category: ExpenseCategory = None  # type: ignore[assignment]
    billable: bool = None  # type: ignore[assignment]


# Responses


class TimeEntryPublic(PublicModel):
    id: str
    project_id: str
    task_id: str | None
    user_id: str | None = Field(description="Null for a resource without a login (a contractor).")
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


# An import checks its rows one by one (a bad row is reported, the others imported), so a row's
# values are only shaped here.
ImportDate = Annotated[str, Field(max_length=10, examples=["2026-03-31"])]
ImportHours = Annotated[float, Field(examples=[1.5])]


class ImportEntry(RequestModel):
    """One row of a JSON import, named like Harvest's import columns."""

    date: ImportDate
    project: Annotated[str, Field(min_length=1, max_length=200)]
    hours: ImportHours
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
