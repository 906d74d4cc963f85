"""Invoices, their items and payments, and the organization's own Labs plan, as the API shows
them. Money is a decimal string in the invoice's currency (answers always write decimal strings;
requests take a decimal string or a JSON number, parsed exactly); dates are YYYY-MM-DD and
instants RFC 3339. The billing service checks the rules between objects (a draft only, not more
than the amount due...) and names the field that is wrong, so these models check shapes.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, PlainValidator, WithJsonSchema

from labs_gateway.schemas.common import (
    CurrencyCode,
    IsoDate,
    RequestModel,
    UuidStr,
    decimal_type,
    whole_number,
)
from labs_gateway.schemas.proto_json import PublicModel

InvoiceStatusName = Literal["draft", "sent", "partially_paid", "paid", "overdue", "void"]
ItemKindName = Literal["time", "expense", "manual"]
GroupByName = Literal["task", "person", "date", "project", "none"]
PaymentMethodName = Literal["bank_transfer", "card", "cash", "check", "stripe", "other"]
PlanName = Literal["free", "starter", "growth", "scale"]

# The service stores money as NUMERIC(14, 2), quantities as NUMERIC(12, 2), tax rates (percent)
# as NUMERIC(7, 4).
Money = decimal_type(maximum=Decimal("999999999999.99"), example="1250.00",
                     description="An amount, a decimal string or a JSON number.")
PaymentAmount = decimal_type(maximum=Decimal("999999999999.99"), exclusive_minimum=True,
                             example="500.00",
                             description="An amount, a decimal string or a JSON number.")
Quantity = decimal_type(maximum=Decimal("9999999999.99"), exclusive_minimum=True, example="8",
                        description="Hours for time, units otherwise; a decimal string or a JSON "
                                    "number.")
TaxRate = decimal_type(maximum=100, places=4, example="20",
                       description="Percent, e.g. 20 or 7.5; a decimal string or a JSON number.")
PaymentTerms = whole_number(0, 365)
Description = Annotated[str, Field(min_length=1, max_length=2000)]
Notes = Annotated[str, Field(max_length=10_000)]
Reference = Annotated[str, Field(max_length=500)]
PERIOD = (("period_start", "period_end", "must not be before period_start"),)
DUE_AFTER_ISSUE = (("issue_date", "due_date", "must not be before issue_date"),)


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str) and len(value) <= 40:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed
    raise ValueError("must be an RFC 3339 instant with its offset, e.g. 2027-01-31T09:00:00Z")


# An instant with its UTC offset (or Z), checked with the body's other fields.
Instant = Annotated[datetime, PlainValidator(_instant), WithJsonSchema(
    {"type": "string", "format": "date-time", "examples": ["2027-01-31T09:00:00Z"]})]


# Requests


class InvoiceItemCreate(RequestModel):
    """A line of a manual invoice (or of a draft's items, given back as a whole)."""

    description: Description
    quantity: Quantity
    unit_price: Money


Items = Annotated[list[InvoiceItemCreate], Field(max_length=1000)]


class InvoiceItemChange(InvoiceItemCreate):
    """A draft's line on PATCH: with the `id` of one of its items, that item is kept (a time or
    expense item keeps its entries, hours and rate; its description may change); without, a new
    manual line. Leaving a time or expense item out answers 422: delete the draft instead."""

    id: UuidStr | None = None


ChangedItems = Annotated[list[InvoiceItemChange], Field(max_length=1000)]


class InvoiceCreate(RequestModel):
    """A manual invoice: for a client, a project (whose client it bills), or both."""

    ONE_OF = ((("client_id", "project_id"), "give client_id or project_id"),)
    EXCLUSIVE = (("due_date", "payment_terms_days", "give due_date or payment_terms_days, "
                                                    "not both"),)
    ORDERED = DUE_AFTER_ISSUE

    client_id: UuidStr | None = None
    project_id: UuidStr | None = None
    currency: CurrencyCode | None = Field(
        None, description="ISO 4217; default the project's currency, else the organization's.")
    items: Items = Field(default_factory=list)
    issue_date: IsoDate | None = Field(
        None, description="Default: the day it is sent, in the organization's timezone.")
    due_date: IsoDate | None = None
    payment_terms_days: PaymentTerms | None = Field(
        None, description="Days from the issue date to the due date; default 30.")
    tax_rate: TaxRate | None = Field(None, description="Percent; default 0.")
    notes: Notes = ""


class InvoiceGenerate(RequestModel):
    """A draft from the project's billable, uninvoiced, finished time of the period (and its
    billable expenses)."""

    ORDERED = PERIOD

    project_id: UuidStr
    period_start: IsoDate
    period_end: IsoDate = Field(description="Inclusive.")
    group_by: GroupByName = Field("project", description="One item per task, person, date, the "
                                                         "whole project, or per entry (none).")
    include_expenses: bool = True
    tax_rate: TaxRate | None = Field(None, description="Percent; default 0.")
    payment_terms_days: PaymentTerms | None = Field(
        None, description="Days from the issue date to the due date; default 30.")
    notes: Notes = ""


class InvoiceUpdate(RequestModel):
    """A draft's fields; only those present change. `items` replaces the items as a whole."""

    ORDERED = DUE_AFTER_ISSUE

    items: ChangedItems = None  # type: ignore[assignment]
    notes: Notes = None  # type: ignore[assignment]
    due_date: IsoDate = None  # type: ignore[assignment]
    tax_rate: TaxRate = None  # type: ignore[assignment]
    issue_date: IsoDate = None  # type: ignore[assignment]


class PaymentCreate(RequestModel):
    amount: PaymentAmount
    paid_at: Instant | None = Field(None, description="Default: now.")
    method: PaymentMethodName
    reference: Reference = ""


class SubscriptionChange(RequestModel):
    plan: PlanName


# Responses


class InvoiceItemPublic(PublicModel):
    id: str
    kind: ItemKindName
    description: str
    quantity: float = Field(description="Hours for a time item, units otherwise: a JSON number "
                                        "with at most 2 decimals, as hours are.")
    unit_price: str
    amount: str
    time_entry_ids: list[str] = Field(default_factory=list, description="Staff only.")
    expense_ids: list[str] = Field(default_factory=list, description="Staff only.")


class InvoicePublic(PublicModel):
    id: str
    number: str | None = Field(description="`<prefix><n>`, e.g. INV-0007; null until sent.")
    status: InvoiceStatusName
    client_id: str | None
    client_name: str | None
    project_id: str | None
    project_name: str | None
    currency: str
    issue_date: date | None
    due_date: date | None
    payment_terms_days: int
    period_start: date | None
    period_end: date | None
    items: list[InvoiceItemPublic]
    subtotal: str
    tax_rate: str = Field(description="Percent, a decimal string.")
    tax_amount: str
    total: str
    amount_paid: str
    amount_due: str
    notes: str
    stripe_invoice_id: str | None = Field(None, description="Staff only; null until Stripe has "
                                                            "the invoice.")
    payment_url: str | None
    sent_at: datetime | None
    paid_at: datetime | None
    voided_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None


class InvoiceList(BaseModel):
    invoices: list[InvoicePublic]
    next_cursor: str | None


class PaymentPublic(PublicModel):
    id: str
    invoice_id: str
    amount: str
    currency: str
    paid_at: datetime | None
    method: PaymentMethodName | None
    reference: str | None
    created_at: datetime | None


class PaymentList(BaseModel):
    payments: list[PaymentPublic]


class SubscriptionPublic(PublicModel):
    plan: PlanName | None
    status: str | None = Field(description="active, trialing, past_due, canceled, incomplete, "
                                           "or pending while Stripe has not answered.")
    renewal_date: date | None
    stripe_subscription_id: str | None = Field(None, description="Staff only.")
    updated_at: datetime | None


class StripeEventReceived(BaseModel):
    received: bool = True
