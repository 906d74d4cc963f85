"""Payments on issued invoices: by hand (a manager records a transfer) or from Stripe."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from labs_billing.domain import commands
from labs_billing.domain.model import Invoice, Payment, money
from labs_billing.service_layer import access, events
from labs_billing.service_layer.unit_of_work import BillingUnitOfWork
from labs_common.errors import InvalidArgument


async def record_payment(command: commands.RecordPayment, uow: BillingUnitOfWork
                         ) -> tuple[Payment, Invoice]:
    access.require_manager(uow.caller)
    invoice = access.readable(await uow.invoices.get(command.invoice_id, lock=True), uow.caller)
    if money(command.amount) != command.amount:
        raise InvalidArgument.on("amount", "must have at most 2 decimals")
    payment = Payment(id=uuid.uuid4(), invoice_id=invoice.id, amount=command.amount,
                      currency=invoice.currency, paid_at=command.paid_at or datetime.now(UTC),
                      method=command.method, reference=command.reference.strip())
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
