"""Time entries and expenses as the domain sees them, and the rules of their life cycle:
draft → submitted → approved (locked); locked or invoiced entries refuse changes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from labs_common.entities import EditableEntity
from labs_common.errors import Conflict

DRAFT, SUBMITTED, APPROVED = "draft", "submitted", "approved"


@dataclass(frozen=True)
class Rates:
    """Rate snapshot: source is "project" (override), "resource" (capacity) or "none"."""

    billable_rate: Decimal | None
    cost_rate: Decimal | None
    currency: str | None
    source: str

    @classmethod
    def none(cls) -> Rates:
        return cls(None, None, None, "none")


@dataclass
class TimeEntry(EditableEntity):
    project_id: uuid.UUID
    user_id: uuid.UUID | None  # None: a resource without a login (resource_id)
    date_worked: date
    hours: Decimal | None
    rounded_hours: Decimal | None
    billable: bool
    rates: Rates
    task_id: uuid.UUID | None = None
    resource_id: uuid.UUID | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    is_running: bool = False
    notes: str = ""
    status: str = DRAFT
    is_locked: bool = False
    locked_reason: str = ""
    invoice_id: uuid.UUID | None = None
    invoiced: bool = False
    source: str = "manual"
    fingerprint: uuid.UUID | None = None
    external_id: str | None = None  # the platform's id of an entry a sync brought in
    version: int = 1
    changed: list[str] = field(default_factory=list)

    @property
    def etag(self) -> str:
        return f"{self.id.hex[:8]}-{self.version}"

    def ensure_editable(self) -> None:
        """Invoiced (or reserved for an invoice) and locked entries are history: 409."""
        if self.invoice_id is not None:
            raise Conflict("This time entry is on an invoice and cannot change.",
                           reason="ENTRY_INVOICED")
        if self.is_locked:
            raise Conflict("This time entry is approved and locked; an admin can reopen it.",
                           reason="ENTRY_LOCKED")
        if self.is_running:
            raise Conflict("This timer is running; stop it first.", reason="TIMER_RUNNING")


@dataclass
class Expense(EditableEntity):
    project_id: uuid.UUID
    user_id: uuid.UUID
    description: str
    amount: Decimal
    currency: str
    expense_date: date
    category: str
    billable: bool = True
    invoice_id: uuid.UUID | None = None
    version: int = 1

    @property
    def etag(self) -> str:
        return f"{self.id.hex[:8]}-{self.version}"

    def ensure_editable(self) -> None:
        if self.invoice_id is not None:
            raise Conflict("This expense is on an invoice and cannot change.",
                           reason="EXPENSE_INVOICED")
