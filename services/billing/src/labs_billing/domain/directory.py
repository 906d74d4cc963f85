"""What billing learns from other services, as plain data: the organization, a project, a
client, and the time entries and expenses the time service reserved for an invoice."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from labs_billing.domain.model import DEFAULT_PREFIX


@dataclass(frozen=True)
class Organization:
    name: str
    timezone: str = "UTC"
    currency: str = "USD"
    invoice_prefix: str = DEFAULT_PREFIX


@dataclass(frozen=True)
class Client:
    id: uuid.UUID
    name: str
    email: str = ""
    currency: str = ""


@dataclass(frozen=True)
class Project:
    id: uuid.UUID
    name: str
    client_id: uuid.UUID | None
    client_name: str = ""
    currency: str = ""
    archived: bool = False


@dataclass(frozen=True)
class BillableEntry:
    id: uuid.UUID
    date_worked: date
    # Billing uses rounded hours.
    hours: Decimal
    rate: Decimal
    currency: str
    task_id: uuid.UUID | None = None
    # The person: a member's user id or a resource (a contractor without a login).
    person_id: uuid.UUID | None = None


@dataclass(frozen=True)
class BillableExpense:
    id: uuid.UUID
    description: str
    amount: Decimal
    currency: str
    expense_date: date
    category: str = "other"


@dataclass(frozen=True)
class Reservation:
    """What the time service holds for one invoice."""

    entries: tuple[BillableEntry, ...] = ()
    expenses: tuple[BillableExpense, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.entries and not self.expenses


@dataclass(frozen=True)
class Names:
    """Names a client understands, for item descriptions: tasks' titles and people's names."""

    tasks: dict[uuid.UUID, str] = field(default_factory=dict)
    people: dict[uuid.UUID, str] = field(default_factory=dict)
