"""Billing's events, written to the outbox in the transaction of the change they announce."""

from __future__ import annotations

from labs.billing.v1 import events_pb2
from labs_billing.adapters import proto
from labs_billing.domain.model import Invoice, Payment, Subscription
from labs_billing.service_layer.unit_of_work import BillingUnitOfWork


async def drafted(uow: BillingUnitOfWork, invoice: Invoice, verb: str,
                  changed: tuple[str, ...] = ()) -> None:
    await uow.outbox.add(f"invoice.{verb}", events_pb2.InvoiceDrafted(
        invoice=proto.invoice(invoice), changed_fields=list(changed)),
        project_id=invoice.project_id)


async def deleted(uow: BillingUnitOfWork, invoice_id, project_id, client_id, **scope) -> None:
    """A draft is gone (deleted, or a generation given up): time frees its entries and expenses
    when it hears this (billing also asks it to at once)."""
    await uow.outbox.add("invoice.deleted", events_pb2.InvoiceDeleted(
        invoice_id=str(invoice_id), project_id=str(project_id or ""),
        client_id=str(client_id or "")), project_id=project_id, **scope)


async def changed(uow: BillingUnitOfWork, invoice: Invoice, verb: str, **scope) -> None:
    """invoice.issued, .paid, .voided, .overdue, .stripe_synced: the client's too."""
    await uow.outbox.add(f"invoice.{verb}", events_pb2.InvoiceChanged(
        invoice=proto.invoice(invoice)), project_id=invoice.project_id, **scope)


async def payment_recorded(uow: BillingUnitOfWork, invoice: Invoice, payment: Payment,
                           **scope) -> None:
    await uow.outbox.add("invoice.payment_recorded", events_pb2.PaymentRecorded(
        invoice=proto.invoice(invoice), payment=proto.payment(payment)),
        project_id=invoice.project_id, **scope)
    if invoice.status.value == "paid":
        await changed(uow, invoice, "paid", **scope)


async def subscription_changed(uow: BillingUnitOfWork, subscription: Subscription) -> None:
    await uow.outbox.add("subscription.changed", events_pb2.SubscriptionChanged(
        subscription=proto.subscription(subscription)))
