"""Durable subscriptions of the billing service: time's reservations, so a reservation that
landed for a generation already given up (or never begun) is freed again
(service_layer/generation.py, `on_reserved_elsewhere`)."""

from __future__ import annotations

import uuid

from labs.events.v1 import envelope_pb2
from labs.time.v1 import events_pb2 as time_events
from labs_billing.service_layer.generation import on_reserved_elsewhere
from labs_billing.service_layer.unit_of_work import BillingUnitOfWork
from labs_common.events.consumer import Subscription
from labs_common.parsing import optional_uuid

CONSUMER = "billing"


def subscriptions() -> list[Subscription]:
    return [
        Subscription(CONSUMER, "time", "entry.reserved", on_entry_reserved),
        Subscription(CONSUMER, "time", "expense.reserved", on_expense_reserved),
    ]


async def on_entry_reserved(envelope: envelope_pb2.Envelope, uow: BillingUnitOfWork) -> None:
    event = time_events.EntryChanged()
    envelope.payload.Unpack(event)
    await _reserved(uow, event.invoice_id, event.project_id)


async def on_expense_reserved(envelope: envelope_pb2.Envelope, uow: BillingUnitOfWork) -> None:
    event = time_events.ExpenseChanged()
    envelope.payload.Unpack(event)
    await _reserved(uow, event.expense.invoice_id, event.project_id)


async def _reserved(uow: BillingUnitOfWork, invoice_id: str, project_id: str) -> None:
    try:
        invoice = uuid.UUID(invoice_id)
    except ValueError:
        return  # not a reservation for an invoice
    await on_reserved_elsewhere(uow, invoice, optional_uuid(project_id, "project_id"))
