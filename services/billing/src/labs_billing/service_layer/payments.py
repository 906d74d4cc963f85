"""Payments on issued invoices: by hand (a manager records a transfer), from Stripe, or from
another platform's books (integrations' QuickBooks sync), which names each payment by its
`external_id` so that reading it again never records it twice."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from labs_billing.domain import commands
from labs_billing.domain.model import Invoice, Payment, money
from labs_billing.service_layer import access, events
from labs_billing.service_layer.unit_of_work import BillingUnitOfWork
from labs_common.errors import InvalidArgument

MAX_EXTERNAL_ID = 200


def external_id_of(text: str) -> str | None:
    """An external id as given (printable, at most 200 characters); empty is None."""
    text = text.strip()
    if not text:
        return None
    if len(text) > MAX_EXTERNAL_ID or not text.isprintable():
        raise InvalidArgument.on("external_id", f"at most {MAX_EXTERNAL_ID} printable characters")
    return text


async def record_payment(command: commands.RecordPayment, uow: BillingUnitOfWork
                         ) -> tuple[Payment, Invoice]:
    access.require_manager(uow.caller)
    invoice = access.readable(await uow.invoices.get(command.invoice_id, lock=True), uow.caller)
    if command.external_id is not None:
        # Looked for under the invoice's lock: a repeat racing the first call waits for it and
        # then finds its payment, instead of both passing the check.
        known = await uow.payments.by_external_id(command.external_id)
        if known is not None:
            if known.invoice_id != invoice.id:
                invoice = access.readable(await uow.invoices.get(known.invoice_id), uow.caller)
            return known, invoice
    if money(command.amount) != command.amount:
        raise InvalidArgument.on("amount", "must have at most 2 decimals")
    payment = Payment(id=uuid.uuid4(), invoice_id=invoice.id, amount=command.amount,
                      currency=invoice.currency, paid_at=command.paid_at or datetime.now(UTC),
                      method=command.method, reference=command.reference.strip(),
                      external_id=command.external_id)
    return await apply_payment(uow, invoice, payment)


async def apply_payment(uow: BillingUnitOfWork, invoice: Invoice, payment: Payment
                        ) -> tuple[Payment, Invoice]:
    invoice.record(payment)
    stored = await uow.payments.add(payment)
    assert stored is not None
    saved = await uow.invoices.save(invoice)
    await events.payment_recorded(uow, saved, stored)
    return stored, saved


async def list_payments(command: commands.ListPayments, uow: BillingUnitOfWork) -> list[Payment]:
    access.require_reader(uow.caller)
    access.readable(await uow.invoices.get(command.invoice_id), uow.caller)
    return await uow.payments.of_invoice(command.invoice_id)
