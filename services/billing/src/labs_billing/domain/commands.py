"""Billing's use cases, one command each, built by the entrypoint from parsed input."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from labs_billing.domain.lines import GroupBy
from labs_billing.domain.model import PaymentMethod, Plan, Status
from labs_common.commands import ById, Command

After = tuple[datetime, uuid.UUID] | None


class ItemFields(Command):
    description: str
    quantity: Decimal
    unit_price: Decimal
    # An item of the draft kept (a time or expense item keeps its entries and figures).
    id: uuid.UUID | None = None


class InvoiceTerms(Command):
    """What a manager may set on an invoice besides its items; None: not given."""

    issue_date: date | None = None
    due_date: date | None = None
    payment_terms_days: int | None = None
    tax_rate: Decimal | None = None
    notes: str | None = None


class CreateInvoice(Command):
    client_id: uuid.UUID | None
    project_id: uuid.UUID | None
    currency: str
    items: tuple[ItemFields, ...]
    terms: InvoiceTerms


class GenerateInvoice(Command):
    # Derived from the Idempotency-Key when there is one, so a retry resumes the same saga.
    invoice_id: uuid.UUID
    project_id: uuid.UUID
    period_start: date
    period_end: date
    group_by: GroupBy
    include_expenses: bool
    terms: InvoiceTerms


class GetInvoice(ById):
    pass


class SendInvoice(ById):
    pass


class VoidInvoice(ById):
    pass


class RenderInvoice(ById):
    pass


class DeleteInvoice(Command):
    id: uuid.UUID
    if_match: tuple[str, ...] = ()


class UpdateInvoice(Command):
    id: uuid.UUID
    fields: frozenset[str]
    terms: InvoiceTerms
    items: tuple[ItemFields, ...] = ()
    if_match: tuple[str, ...] = ()


class ListInvoices(Command):
    after: After
    limit: int
    status: Status | None = None
    project_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    date_from: date | None = None
    date_to: date | None = None


class RecordPayment(Command):
    invoice_id: uuid.UUID
    amount: Decimal
    method: PaymentMethod
    paid_at: datetime | None = None
    reference: str = ""
    # Another platform's id of what paid it: one payment per external id (a repeat answers it).
    external_id: str | None = None


class ListPayments(Command):
    invoice_id: uuid.UUID


class GetSubscription(Command):
    pass


class ChangeSubscription(Command):
    plan: Plan
