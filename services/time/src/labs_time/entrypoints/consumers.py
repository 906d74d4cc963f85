"""Durable subscriptions of the time service: the read models of identity's orgs, projects'
projects and capacity's resources and rates (read_model_consumers.py), and billing's invoice
outcomes, which finish the billing saga (service_layer/invoicing.py) even when billing dies
between committing an invoice and calling MarkEntriesInvoiced or ReleaseEntries. Billing calls
those RPCs as well; both paths run, in either order, and the second finds nothing left to do.

invoice.issued → the invoice's entries are invoiced; invoice.voided and invoice.deleted → its
entries and expenses are free again. The consumer framework claims each event id in the inbox
(a redelivery changes nothing) and scopes the unit of work to the event's org; the handlers act
for no caller (the platform), so they call the steps below the RPCs' role check.
"""

from __future__ import annotations

import uuid

import structlog
from google.protobuf.message import Message

from labs.billing.v1 import events_pb2 as billing_events
from labs.events.v1 import envelope_pb2
from labs_common.events.consumer import Subscription
from labs_time.entrypoints import read_model_consumers
from labs_time.service_layer import invoicing
from labs_time.service_layer.unit_of_work import TimeUnitOfWork

log = structlog.get_logger(__name__)

CONSUMER = "time"


def subscriptions() -> list[Subscription]:
    # Durables time-on-billing-invoice-issued|voided|deleted.
    return [
        Subscription(CONSUMER, "billing", "invoice.issued", on_invoice_issued),
        Subscription(CONSUMER, "billing", "invoice.voided", on_invoice_voided),
        Subscription(CONSUMER, "billing", "invoice.deleted", on_invoice_deleted),
        # The read models the write path reads instead of asking (read_model_consumers.py).
        *read_model_consumers.subscriptions(),
    ]


async def on_invoice_issued(envelope: envelope_pb2.Envelope, uow: TimeUnitOfWork) -> None:
    event = billing_events.InvoiceChanged()
    if (invoice_id := _invoice_id(envelope, event, lambda: event.invoice.id)) is not None:
        await invoicing.invoice_issued(uow, invoice_id)


async def on_invoice_voided(envelope: envelope_pb2.Envelope, uow: TimeUnitOfWork) -> None:
    event = billing_events.InvoiceChanged()
    if (invoice_id := _invoice_id(envelope, event, lambda: event.invoice.id)) is not None:
        await invoicing.free_invoice(uow, invoice_id)


async def on_invoice_deleted(envelope: envelope_pb2.Envelope, uow: TimeUnitOfWork) -> None:
    event = billing_events.InvoiceDeleted()
    if (invoice_id := _invoice_id(envelope, event, lambda: event.invoice_id)) is not None:
        await invoicing.free_invoice(uow, invoice_id)


def _invoice_id(envelope: envelope_pb2.Envelope, event: Message, read) -> uuid.UUID | None:
    """The invoice the event is about, or None (logged) when the payload is not the expected
    message or names no valid id: such an event never gets better, so it is claimed without
    effect instead of being retried into the dead-letter stream."""
    if not envelope.payload.Unpack(event):
        log.error("time.invoice_event_unexpected_payload", event_id=envelope.id,
                  type=envelope.type, payload=envelope.payload.TypeName())
        return None
    try:
        return uuid.UUID(read())
    except ValueError:
        log.error("time.invoice_event_without_invoice_id", event_id=envelope.id,
                  type=envelope.type)
        return None
