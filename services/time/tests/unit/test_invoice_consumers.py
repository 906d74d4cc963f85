"""Billing's invoice events finish the saga: the consumer's handlers (entrypoints/consumers.py) on
a fake unit of work scoped as the consumer framework scopes it (the event's org, no caller).
invoice.issued invoices the entries, invoice.voided and invoice.deleted free entries and
expenses; each is harmless twice, and harmless before or after billing's own RPC."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from labs.billing.v1 import billing_service_pb2 as billing_pb
from labs.billing.v1 import events_pb2 as billing_events
from labs.events.v1 import envelope_pb2
from labs_common.auth.roles import Role
from labs_common.db.uow import Scope
from labs_common.errors import Unauthenticated
from labs_common.testing.fakes import a_caller
from labs_time.domain import commands
from labs_time.entrypoints import consumers
from labs_time.service_layer import invoicing

from .test_handlers import FakeTimeUnitOfWork, _entry, _expense, _reserve


def envelope(event, event_type: str, org_id: uuid.UUID) -> envelope_pb2.Envelope:
    wrapped = envelope_pb2.Envelope(id=str(uuid.uuid4()), type=event_type, source="billing",
                                    org_id=str(org_id))
    wrapped.payload.Pack(event)
    return wrapped


def issued(invoice_id: uuid.UUID, org_id: uuid.UUID) -> envelope_pb2.Envelope:
    invoice = billing_pb.Invoice(id=str(invoice_id))
    return envelope(billing_events.InvoiceChanged(invoice=invoice), "invoice.issued", org_id)


def voided(invoice_id: uuid.UUID, org_id: uuid.UUID) -> envelope_pb2.Envelope:
    invoice = billing_pb.Invoice(id=str(invoice_id))
    return envelope(billing_events.InvoiceChanged(invoice=invoice), "invoice.voided", org_id)


def deleted(invoice_id: uuid.UUID, org_id: uuid.UUID) -> envelope_pb2.Envelope:
    return envelope(billing_events.InvoiceDeleted(invoice_id=str(invoice_id)),
                    "invoice.deleted", org_id)


def reserved_invoice():
    """A manager's unit of work with one entry and one expense on a new invoice."""
    uow = FakeTimeUnitOfWork(caller=a_caller(Role.MANAGER))
    entry = _entry(uow, date(2026, 1, 10))
    expense = _expense(uow, date(2026, 1, 12))
    return uow, entry, expense


def as_platform(uow: FakeTimeUnitOfWork) -> FakeTimeUnitOfWork:
    """The same rows, in a unit of work the consumer framework would open: the event's org, its
    actor, no caller."""
    platform = FakeTimeUnitOfWork(Scope(org_id=uow.scope.org_id, actor_id=uuid.uuid4()))
    platform.entries, platform.expenses = uow.entries, uow.expenses
    return platform


def test_time_subscribes_to_billings_invoice_outcomes_on_named_durables():
    billing = {(s.subject, s.durable) for s in consumers.subscriptions()
               if s.source == "billing"}
    assert billing == {
        ("labs.billing.v1.*.invoice.issued", "time-on-billing-invoice-issued"),
        ("labs.billing.v1.*.invoice.voided", "time-on-billing-invoice-voided"),
        ("labs.billing.v1.*.invoice.deleted", "time-on-billing-invoice-deleted"),
    }


async def test_an_issued_invoice_invoices_its_entries_with_no_caller_and_once():
    uow, entry, expense = reserved_invoice()
    invoice = uuid.uuid4()
    await invoicing.reserve(_reserve(invoice, include_expenses=True), uow)
    platform = as_platform(uow)
    with pytest.raises(Unauthenticated):
        platform.caller  # noqa: B018 - the consumer has no caller to ask for

    event = issued(invoice, platform.scope.org_id)
    await consumers.on_invoice_issued(event, platform)
    await consumers.on_invoice_issued(event, platform)  # redelivered past the inbox: no change
    stored = uow.entries.rows[entry.id]
    assert stored.invoiced and stored.is_locked and stored.locked_reason == "invoiced"
    assert uow.expenses.rows[expense.id].invoice_id == invoice
    assert platform.outbox.types() == ["entry.invoiced"]


async def test_billings_rpc_after_the_event_or_before_it_changes_nothing_more():
    uow, entry, _ = reserved_invoice()
    invoice = uuid.uuid4()
    await invoicing.reserve(_reserve(invoice, include_expenses=True), uow)
    platform = as_platform(uow)
    await consumers.on_invoice_issued(issued(invoice, platform.scope.org_id), platform)
    marked = await invoicing.mark_invoiced(commands.MarkEntriesInvoiced(invoice), uow)
    assert [e.id for e in marked.entries] == [entry.id]
    assert "entry.invoiced" not in uow.outbox.types()  # the RPC found it done

    other, entry, _ = reserved_invoice()
    invoice = uuid.uuid4()
    await invoicing.reserve(_reserve(invoice, include_expenses=True), other)
    await invoicing.mark_invoiced(commands.MarkEntriesInvoiced(invoice), other)
    platform = as_platform(other)
    await consumers.on_invoice_issued(issued(invoice, platform.scope.org_id), platform)
    assert platform.outbox.types() == []
    assert other.entries.rows[entry.id].invoiced


@pytest.mark.parametrize(("outcome", "handler"), [(voided, consumers.on_invoice_voided),
                                                  (deleted, consumers.on_invoice_deleted)])
async def test_a_voided_or_deleted_invoice_frees_its_entries_and_expenses_once(outcome, handler):
    uow, entry, expense = reserved_invoice()
    invoice = uuid.uuid4()
    await invoicing.reserve(_reserve(invoice, include_expenses=True), uow)
    await invoicing.mark_invoiced(commands.MarkEntriesInvoiced(invoice), uow)
    platform = as_platform(uow)

    await handler(outcome(invoice, platform.scope.org_id), platform)
    stored = uow.entries.rows[entry.id]
    assert stored.invoice_id is None and not stored.invoiced and not stored.is_locked
    assert uow.expenses.rows[expense.id].invoice_id is None
    assert platform.outbox.types() == ["entry.released", "expense.released"]

    # Billing's own ReleaseEntries, then the event heard again as a new delivery: nothing left.
    again = await invoicing.release(commands.ReleaseEntries(invoice), uow)
    assert again.entries == [] and again.expenses == []
    await consumers.on_invoice_deleted(deleted(invoice, platform.scope.org_id), platform)
    await consumers.on_invoice_voided(voided(invoice, platform.scope.org_id), platform)
    assert platform.outbox.types() == ["entry.released", "expense.released"]


async def test_an_issued_event_heard_after_the_void_leaves_the_entries_free():
    uow, entry, expense = reserved_invoice()
    invoice = uuid.uuid4()
    await invoicing.reserve(_reserve(invoice, include_expenses=True), uow)
    platform = as_platform(uow)
    # Each event type has its own durable, so a void may be heard before the issue it follows.
    await consumers.on_invoice_voided(voided(invoice, platform.scope.org_id), platform)
    await consumers.on_invoice_issued(issued(invoice, platform.scope.org_id), platform)
    stored = uow.entries.rows[entry.id]
    assert stored.invoice_id is None and not stored.invoiced
    assert uow.expenses.rows[expense.id].invoice_id is None


async def test_another_invoices_rows_and_unreadable_events_are_left_alone():
    uow, entry, expense = reserved_invoice()
    invoice = uuid.uuid4()
    await invoicing.reserve(_reserve(invoice, include_expenses=True), uow)
    platform = as_platform(uow)
    org = platform.scope.org_id
    await consumers.on_invoice_voided(voided(uuid.uuid4(), org), platform)
    no_id = envelope(billing_events.InvoiceDeleted(invoice_id="not-a-uuid"), "invoice.deleted",
                     org)
    await consumers.on_invoice_deleted(no_id, platform)
    wrong_payload = envelope(billing_events.InvoiceDeleted(invoice_id=str(invoice)),
                             "invoice.voided", org)
    await consumers.on_invoice_voided(wrong_payload, platform)
    assert uow.entries.rows[entry.id].invoice_id == invoice
    assert uow.expenses.rows[expense.id].invoice_id == invoice
    assert platform.outbox.types() == []
