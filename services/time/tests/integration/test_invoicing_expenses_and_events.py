"""Expenses in billing's saga, and the saga finished from billing's events (real PostgreSQL and
NATS): reserve takes a project's free billable expenses with its entries, never one expense for
two invoices; an expense an invoice holds refuses changes; time's durable consumers invoice the
entries on invoice.issued and free entries and expenses on invoice.voided and invoice.deleted,
and billing's own RPCs before or after change nothing more."""

from __future__ import annotations

import asyncio
import time
import uuid

import grpc
import nats
import pytest
from nats.js.errors import NotFoundError
from time_helpers import project, rejected, signup

from labs.billing.v1 import billing_service_pb2 as billing_pb
from labs.billing.v1 import events_pb2 as billing_events
from labs.events.v1 import envelope_pb2
from labs.time.v1 import time_service_pb2 as pb
from labs_common.events.streams import ensure_stream, stream_name

pytestmark = pytest.mark.integration

PERIOD = {"period_start": "2026-03-01", "period_end": "2026-03-31"}


async def log(clients, person, project_id, day="2026-03-03", hours="2"):
    return (await clients.time.CreateTimeEntry(pb.CreateTimeEntryRequest(
        project_id=project_id, hours=hours, date_worked=day), metadata=person.auth)).entry


async def spend(clients, person, project_id, day="2026-03-05", billable=True, amount="80.00"):
    return (await clients.time.CreateExpense(pb.CreateExpenseRequest(
        project_id=project_id, description="Train", amount=amount, category="travel",
        expense_date=day, billable=billable), metadata=person.auth)).expense


async def reserve(clients, person, project_id, invoice, include_expenses=True):
    return await clients.time.ReserveEntries(pb.ReserveEntriesRequest(
        invoice_id=invoice, project_id=project_id, include_expenses=include_expenses, **PERIOD),
        metadata=person.auth)


async def test_expenses_are_reserved_with_the_entries_and_refuse_changes_until_released(clients):
    owner = await signup(clients)
    project_id = await project(clients, owner)
    entry = await log(clients, owner, project_id)
    billable = await spend(clients, owner, project_id)
    await spend(clients, owner, project_id, billable=False)
    await spend(clients, owner, project_id, day="2026-04-02")

    listed = await clients.time.ListBillableEntries(pb.ListBillableEntriesRequest(
        project_id=project_id, include_expenses=True, **PERIOD), metadata=owner.auth)
    assert [x.id for x in listed.expenses] == [billable.id]
    plain = await clients.time.ListBillableEntries(pb.ListBillableEntriesRequest(
        project_id=project_id, **PERIOD), metadata=owner.auth)
    assert [e.id for e in plain.entries] == [entry.id] and list(plain.expenses) == []

    invoice = str(uuid.uuid4())
    first = await reserve(clients, owner, project_id, invoice)
    again = await reserve(clients, owner, project_id, invoice)
    for held in (first, again):
        assert [e.id for e in held.entries] == [entry.id]
        assert [(x.id, x.invoice_id) for x in held.expenses] == [(billable.id, invoice)]

    for call in (
        clients.time.UpdateExpense(pb.UpdateExpenseRequest(id=billable.id, amount="1"),
                                   metadata=owner.auth),
        clients.time.DeleteExpense(pb.DeleteExpenseRequest(id=billable.id), metadata=owner.auth),
    ):
        assert (await rejected(call)).code() == grpc.StatusCode.FAILED_PRECONDITION

    marked = await clients.time.MarkEntriesInvoiced(pb.MarkEntriesInvoicedRequest(
        invoice_id=invoice), metadata=owner.auth)
    assert [e.invoiced for e in marked.entries] == [True]
    assert [(x.id, x.invoice_id) for x in marked.expenses] == [(billable.id, invoice)]

    released = await clients.time.ReleaseEntries(pb.ReleaseEntriesRequest(invoice_id=invoice),
                                                 metadata=owner.auth)
    assert (list(released.entry_ids), list(released.expense_ids)) == ([entry.id], [billable.id])
    twice = await clients.time.ReleaseEntries(pb.ReleaseEntriesRequest(invoice_id=invoice),
                                              metadata=owner.auth)
    assert (list(twice.entry_ids), list(twice.expense_ids)) == ([], [])
    changed = (await clients.time.UpdateExpense(pb.UpdateExpenseRequest(
        id=billable.id, amount="90"), metadata=owner.auth)).expense
    assert (changed.amount, changed.invoice_id) == ("90.00", "")


async def test_concurrent_reservations_never_share_an_expense(clients):
    owner = await signup(clients)
    project_id = await project(clients, owner)
    spent = [await spend(clients, owner, project_id, day=f"2026-03-{day:02d}")
             for day in range(1, 13)]
    invoices = [str(uuid.uuid4()) for _ in range(4)]
    results = await asyncio.gather(*(reserve(clients, owner, project_id, i) for i in invoices))
    taken = [(r_invoice, x.id) for r_invoice, r in zip(invoices, results, strict=True)
             for x in r.expenses]
    assert len(taken) == len(spent) and len({x for _, x in taken}) == len(spent)
    for invoice, expense_id in taken:
        stored = (await clients.time.GetExpense(pb.GetExpenseRequest(id=expense_id),
                                                metadata=owner.auth)).expense
        assert stored.invoice_id == invoice


async def until(condition, what: str, timeout: float = 20.0) -> None:
    """Polls `condition` (async, answers a bool) until true, or fails at the deadline."""
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, f"{what}: not so after {timeout} s"
        await asyncio.sleep(0.05)


async def until_consumed(js, durable: str, timeout: float = 20.0) -> None:
    """Until the durable has acknowledged everything published to it (the consumer subscribes
    once it finds billing's stream, so it may not exist yet)."""
    async def drained() -> bool:
        try:
            info = await js.consumer_info(stream_name("billing"), durable)
        except NotFoundError:
            return False
        return info.num_pending == 0 and info.num_ack_pending == 0
    await until(drained, f"{durable} drained", timeout)


def billing_event(event_type: str, payload, org_id: str, project_id: str) -> envelope_pb2.Envelope:
    """An event as billing's outbox relay publishes it."""
    envelope = envelope_pb2.Envelope(id=str(uuid.uuid4()), type=event_type, source="billing",
                                     org_id=org_id, project_id=project_id)
    envelope.occurred_at.GetCurrentTime()
    envelope.payload.Pack(payload)
    return envelope


async def publish(js, envelope: envelope_pb2.Envelope, msg_id: str | None = None) -> None:
    await js.publish(f"labs.billing.v1.{envelope.org_id}.{envelope.type}",
                     envelope.SerializeToString(),
                     headers={"Nats-Msg-Id": msg_id or envelope.id})


async def test_billings_invoice_events_finish_the_saga_whatever_else_ran(clients, time_nats_url):
    owner = await signup(clients)
    org = owner.org_id
    project_id = await project(clients, owner)
    entry = await log(clients, owner, project_id)
    expense = await spend(clients, owner, project_id)
    issued_invoice, deleted_invoice = str(uuid.uuid4()), str(uuid.uuid4())
    held = await reserve(clients, owner, project_id, issued_invoice)
    assert ([e.id for e in held.entries], [x.id for x in held.expenses]) == ([entry.id],
                                                                             [expense.id])

    connection = await nats.connect(time_nats_url)
    js = connection.jetstream()
    try:
        await ensure_stream(js, "billing")  # billing itself does not run in this suite

        async def entry_now():
            return (await clients.time.GetTimeEntry(pb.GetTimeEntryRequest(id=entry.id),
                                                    metadata=owner.auth)).entry

        async def expense_now():
            return (await clients.time.GetExpense(pb.GetExpenseRequest(id=expense.id),
                                                  metadata=owner.auth)).expense

        # Billing committed the issue and died before MarkEntriesInvoiced: the event does it.
        invoice = billing_pb.Invoice(id=issued_invoice, project_id=project_id)
        issued = billing_event("invoice.issued", billing_events.InvoiceChanged(invoice=invoice),
                               org, project_id)
        await publish(js, issued)

        async def invoiced() -> bool:
            return (await entry_now()).invoiced
        await until(invoiced, "entry invoiced from invoice.issued")
        assert (await entry_now()).is_locked and (await expense_now()).invoice_id == issued_invoice
        # Billing's late RPC, and the event redelivered (same id, new message): nothing more.
        marked = await clients.time.MarkEntriesInvoiced(pb.MarkEntriesInvoicedRequest(
            invoice_id=issued_invoice), metadata=owner.auth)
        assert [e.id for e in marked.entries] == [entry.id]
        version = (await entry_now()).etag
        await publish(js, issued, msg_id=str(uuid.uuid4()))
        await until_consumed(js, "time-on-billing-invoice-issued")
        assert (await entry_now()).etag == version

        # The void: billing's RPC first this time, then its event; the event finds nothing left.
        released = await clients.time.ReleaseEntries(pb.ReleaseEntriesRequest(
            invoice_id=issued_invoice), metadata=owner.auth)
        assert (list(released.entry_ids), list(released.expense_ids)) == ([entry.id],
                                                                          [expense.id])
        freed_version = (await entry_now()).etag
        await publish(js, billing_event("invoice.voided",
                                        billing_events.InvoiceChanged(invoice=invoice),
                                        org, project_id))
        await until_consumed(js, "time-on-billing-invoice-voided")
        assert (await entry_now()).etag == freed_version
        assert not (await entry_now()).invoiced and (await expense_now()).invoice_id == ""

        # A draft deleted, billing gone before ReleaseEntries: the event frees both.
        await reserve(clients, owner, project_id, deleted_invoice)
        assert (await expense_now()).invoice_id == deleted_invoice
        await publish(js, billing_event("invoice.deleted", billing_events.InvoiceDeleted(
            invoice_id=deleted_invoice, project_id=project_id), org, project_id))

        async def freed() -> bool:
            return (await expense_now()).invoice_id == "" and (await entry_now()).invoice_id == ""
        await until(freed, "entry and expense freed from invoice.deleted")
        after = await clients.time.ReleaseEntries(pb.ReleaseEntriesRequest(
            invoice_id=deleted_invoice), metadata=owner.auth)
        assert (list(after.entry_ids), list(after.expense_ids)) == ([], [])
    finally:
        await connection.drain()
