"""Billing's aggregates as plain data: an invoice with its items and payments, and the rules of
its life (draft → issued → paid, or void), which hold whatever store or transport carries it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from labs_common.entities import EditableEntity
from labs_common.errors import Conflict, InvalidArgument
from labs_common.etag import Versioned

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
DEFAULT_PAYMENT_TERMS_DAYS = 30
DEFAULT_PREFIX = "INV-"


def money(value: Decimal) -> Decimal:
    """Rounded to cents, halves away from zero, as invoices are."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class Status(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    # Never stored: an issued invoice past its due date with an amount due reads overdue.
    OVERDUE = "overdue"
    VOID = "void"


ISSUED = frozenset({Status.SENT, Status.PARTIALLY_PAID, Status.OVERDUE})


class ItemKind(StrEnum):
    TIME = "time"
    EXPENSE = "expense"
    MANUAL = "manual"


class PaymentMethod(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    CARD = "card"
    CASH = "cash"
    CHECK = "check"
    STRIPE = "stripe"
    OTHER = "other"


class Plan(StrEnum):
    FREE = "free"
    STARTER = "starter"
    GROWTH = "growth"
    SCALE = "scale"


@dataclass(frozen=True)
class Item:
    id: uuid.UUID
    kind: ItemKind
    description: str
    quantity: Decimal
    unit_price: Decimal
    time_entry_ids: tuple[uuid.UUID, ...] = ()
    expense_ids: tuple[uuid.UUID, ...] = ()

    @property
    def amount(self) -> Decimal:
        return money(self.quantity * self.unit_price)


@dataclass(frozen=True)
class Payment:
    id: uuid.UUID
    invoice_id: uuid.UUID
    amount: Decimal
    currency: str
    paid_at: datetime
    method: PaymentMethod
    reference: str = ""
    # Stripe's id of what paid it (an invoice or payment intent): one payment per Stripe object.
    external_id: str | None = None
    created_at: datetime | None = None


@dataclass
class Invoice(Versioned, EditableEntity):
    client_id: uuid.UUID | None
    project_id: uuid.UUID | None
    currency: str
    status: Status = Status.DRAFT
    items: list[Item] = field(default_factory=list)
    tax_rate: Decimal = ZERO
    amount_paid: Decimal = ZERO
    number: str | None = None
    issue_date: date | None = None
    due_date: date | None = None
    payment_terms_days: int = DEFAULT_PAYMENT_TERMS_DAYS
    period_start: date | None = None
    period_end: date | None = None
    notes: str = ""
    client_name: str = ""
    project_name: str = ""
    agency_name: str = ""
    # The organization's zone when it was issued: whose "today" decides it is overdue.
    timezone: str = "UTC"
    stripe_invoice_id: str | None = None
    payment_url: str | None = None
    sent_at: datetime | None = None
    paid_at: datetime | None = None
    voided_at: datetime | None = None
    created_by: uuid.UUID | None = None

    @property
    def subtotal(self) -> Decimal:
        return money(sum((item.amount for item in self.items), ZERO))

    @property
    def tax_amount(self) -> Decimal:
        return money(self.subtotal * self.tax_rate / 100)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax_amount

    @property
    def amount_due(self) -> Decimal:
        return ZERO if self.status is Status.VOID else max(self.total - self.amount_paid, ZERO)

    @property
    def time_entry_ids(self) -> list[uuid.UUID]:
        return [entry for item in self.items for entry in item.time_entry_ids]

    @property
    def expense_ids(self) -> list[uuid.UUID]:
        return [expense for item in self.items for expense in item.expense_ids]

    def status_on(self, today: date) -> Status:
        """The status a reader sees today: an issued invoice past due with money owed is
        overdue."""
        if (self.status in (Status.SENT, Status.PARTIALLY_PAID) and self.due_date is not None
                and self.due_date < today and self.amount_due > 0):
            return Status.OVERDUE
        return self.status

    def require_draft(self, doing: str) -> None:
        if self.status is not Status.DRAFT:
            raise Conflict(f"Only a draft invoice can be {doing}; this one is {self.status}.",
                           reason="INVOICE_NOT_DRAFT")

    def issue(self, number: str, today: date, now: datetime) -> None:
        """Draft → sent with its number; the issue date is today unless one was set, and the
        due date follows from the payment terms unless one was set."""
        self.require_draft("sent")
        if not self.items:
            raise InvalidArgument.on("items", "an invoice needs at least one item to be sent")
        self.number, self.status, self.sent_at = number, Status.SENT, now
        self.issue_date = self.issue_date or today
        if self.due_date is None:
            self.due_date = date.fromordinal(self.issue_date.toordinal() + self.payment_terms_days)
        if self.due_date < self.issue_date:
            raise InvalidArgument.on("due_date", "must not be before the issue date")
        if self.total == 0:
            self.status, self.paid_at = Status.PAID, now

    def void(self, now: datetime) -> None:
        if self.status is Status.PAID:
            raise Conflict("A paid invoice cannot be voided.", reason="INVOICE_PAID")
        if self.status not in ISSUED:
            raise Conflict(f"Only an issued invoice can be voided; this one is {self.status}.",
                           reason="INVOICE_NOT_ISSUED")
        if self.amount_paid > 0:
            raise Conflict("An invoice with payments cannot be voided.",
                           reason="INVOICE_HAS_PAYMENTS")
        self.status, self.voided_at = Status.VOID, now

    def record(self, payment: Payment) -> None:
        """A payment of at most the amount due; the invoice is then partly or wholly paid."""
        if self.status not in ISSUED:
            raise Conflict(f"Payments are recorded on issued invoices; this one is {self.status}.",
                           reason="INVOICE_NOT_PAYABLE")
        if payment.amount <= 0:
            raise InvalidArgument.on("amount", "must be greater than 0")
        if payment.amount > self.amount_due:
            raise InvalidArgument.on("amount", f"must not exceed the amount due, {self.amount_due}")
        self.amount_paid += payment.amount
        if self.amount_due == 0:
            self.status, self.paid_at = Status.PAID, payment.paid_at
        else:
            self.status = Status.PARTIALLY_PAID


def invoice_number(prefix: str, n: int) -> str:
    """`INV-0001`: the organization's prefix and its n-th issued invoice, at least 4 digits."""
    return f"{prefix}{n:04d}"


@dataclass
class Subscription(Versioned):
    org_id: uuid.UUID
    plan: Plan = Plan.FREE
    # active, trialing, past_due, canceled, incomplete; pending until Stripe has answered.
    status: str = "active"
    renewal_date: date | None = None
    stripe_customer_id: str | None = None
    stripe_subscription_id: str | None = None
    updated_at: datetime | None = None
