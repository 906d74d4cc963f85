"""Billing's handlers with no I/O: who may do what, what each step writes and announces, and
the generation saga's steps and compensations."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from billing_fakes import FakeBillingUnitOfWork

from labs_billing.domain import commands
from labs_billing.domain.directory import (
    BillableEntry,
    Client,
    Names,
    Organization,
    Project,
    Reservation,
)
from labs_billing.domain.lines import GroupBy
from labs_billing.domain.model import PaymentMethod, Plan, Status
from labs_billing.service_layer import generation, invoices, payments, subscriptions
from labs_common.auth.roles import Role
from labs_common.errors import Conflict, InvalidArgument, NotFound, PermissionDenied, Unavailable
from labs_common.testing.fakes import a_caller

ORG = Organization(name="Ada Studio", timezone="Europe/Berlin", currency="EUR",
                   invoice_prefix="ADA-")
CLIENT = Client(id=uuid.uuid4(), name="Acme", currency="EUR")
PROJECT = Project(id=uuid.uuid4(), name="Relaunch", client_id=CLIENT.id, client_name="Acme",
                  currency="EUR")
TERMS = commands.InvoiceTerms()


def manager_uow() -> FakeBillingUnitOfWork:
    return FakeBillingUnitOfWork(caller=a_caller(Role.MANAGER))


async def a_draft(uow, *lines: tuple[str, str]):
    items = tuple(commands.ItemFields("Work", Decimal(q), Decimal(p)) for q, p in lines) or (
        commands.ItemFields("Work", Decimal("1"), Decimal("100")),)
    return await invoices.create_invoice(
        commands.CreateInvoice(CLIENT.id, None, "", items, TERMS), uow,
        org=ORG, project=None, client=CLIENT)


async def test_a_manager_creates_a_draft_and_the_event_is_for_managers():
    uow = manager_uow()
    draft = await a_draft(uow, ("2", "150"))
    assert (draft.status, draft.number, draft.total) == (Status.DRAFT, None, Decimal("300.00"))
    assert (draft.client_name, draft.agency_name, draft.currency) == ("Acme", "Ada Studio", "EUR")
    assert uow.outbox.types() == ["invoice.created"]


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER, Role.CLIENT])
async def test_below_manager_nobody_creates_an_invoice(role):
    with pytest.raises(PermissionDenied):
        await a_draft(FakeBillingUnitOfWork(caller=a_caller(role)))


async def test_an_invoice_needs_items_and_sane_terms_all_named_at_once():
    uow = manager_uow()
    bad = commands.CreateInvoice(
        CLIENT.id, None, "", (commands.ItemFields(" ", Decimal("0"), Decimal("-1")),),
        commands.InvoiceTerms(tax_rate=Decimal("101"), payment_terms_days=400))
    with pytest.raises(InvalidArgument) as refused:
        await invoices.create_invoice(bad, uow, org=ORG, project=None, client=CLIENT)
    assert {e.field for e in refused.value.field_errors} == {
        "items[0].description", "items[0].quantity", "items[0].unit_price", "tax_rate",
        "payment_terms_days"}
    assert uow.outbox.types() == []


async def test_sending_numbers_invoices_in_order_with_the_orgs_prefix():
    uow = manager_uow()
    first, second = await a_draft(uow), await a_draft(uow)
    sent = [await invoices.send_invoice(commands.SendInvoice(i.id), uow, org=ORG)
            for i in (second, first)]
    assert [s.number for s in sent] == ["ADA-0001", "ADA-0002"]
    again = await invoices.send_invoice(commands.SendInvoice(second.id), uow, org=ORG)
    assert again.number == "ADA-0001"  # a retried send changes nothing
    assert uow.outbox.types().count("invoice.issued") == 2


async def test_with_stripe_a_sent_invoice_is_queued_for_stripe_and_a_free_one_is_not():
    uow = manager_uow()
    paid, free = await a_draft(uow), await a_draft(uow, ("1", "0"))
    await invoices.send_invoice(commands.SendInvoice(paid.id), uow, org=ORG, stripe=True)
    done = await invoices.send_invoice(commands.SendInvoice(free.id), uow, org=ORG, stripe=True)
    assert uow.invoices.stripe == {paid.id: "pending"}
    assert done.status is Status.PAID


async def test_a_client_reads_only_its_clients_issued_invoices():
    uow = manager_uow()
    draft, issued = await a_draft(uow), await a_draft(uow)
    await invoices.send_invoice(commands.SendInvoice(issued.id), uow, org=ORG)
    ours = uow.as_caller(a_caller(Role.CLIENT, org_id=uow.caller.org_id, client_id=CLIENT.id))
    theirs = uow.as_caller(a_caller(Role.CLIENT, org_id=uow.caller.org_id,
                                    client_id=uuid.uuid4()))
    assert (await invoices.get_invoice(commands.GetInvoice(issued.id), ours)).number
    for reader, invoice_id in ((ours, draft.id), (theirs, issued.id)):
        with pytest.raises(NotFound):
            await invoices.get_invoice(commands.GetInvoice(invoice_id), reader)
    listed = await invoices.list_invoices(commands.ListInvoices(after=None, limit=50), ours)
    assert [i.id for i in listed] == [issued.id]
    with pytest.raises(PermissionDenied):
        await invoices.list_invoices(commands.ListInvoices(after=None, limit=50),
                                     uow.as_caller(a_caller(Role.MEMBER)))


async def test_only_drafts_change_or_go_and_a_deleted_draft_frees_its_time():
    uow = manager_uow()
    draft, issued = await a_draft(uow), await a_draft(uow)
    await invoices.send_invoice(commands.SendInvoice(issued.id), uow, org=ORG)
    with pytest.raises(Conflict):
        await invoices.delete_invoice(commands.DeleteInvoice(issued.id), uow)
    with pytest.raises(Conflict):
        await invoices.update_invoice(commands.UpdateInvoice(
            issued.id, frozenset({"notes"}), commands.InvoiceTerms(notes="x")), uow)
    await invoices.delete_invoice(commands.DeleteInvoice(draft.id), uow)
    [gone] = uow.outbox.of_type("invoice.deleted")
    assert gone.invoice_id == str(draft.id)


async def test_a_payment_beyond_what_is_due_is_refused_and_the_last_one_pays_it():
    uow = manager_uow()
    invoice = await a_draft(uow, ("1", "100"))
    await invoices.send_invoice(commands.SendInvoice(invoice.id), uow, org=ORG)

    def pay(amount: str):
        return payments.record_payment(commands.RecordPayment(
            invoice.id, Decimal(amount), PaymentMethod.BANK_TRANSFER), uow)

    with pytest.raises(InvalidArgument):
        await pay("100.01")
    _, partly = await pay("40")
    _, paid = await pay("60")
    assert (partly.status, paid.status) == (Status.PARTIALLY_PAID, Status.PAID)
    assert uow.outbox.types()[-3:] == ["invoice.payment_recorded", "invoice.payment_recorded",
                                       "invoice.paid"]
    with pytest.raises(Conflict):
        await invoices.void_invoice(commands.VoidInvoice(invoice.id), uow)


async def test_a_payment_named_by_an_external_id_is_recorded_once_however_often_it_comes():
    uow = manager_uow()
    invoice = await a_draft(uow, ("1", "100"))
    await invoices.send_invoice(commands.SendInvoice(invoice.id), uow, org=ORG)
    external = f"quickbooks:9130:77:{uuid.uuid4().hex[:6]}"

    def pay(amount: str, external_id: str | None = external):
        return payments.record_payment(commands.RecordPayment(
            invoice.id, Decimal(amount), PaymentMethod.BANK_TRANSFER,
            reference="QuickBooks payment 77", external_id=external_id), uow)

    first, paid = await pay("100")
    # The sync reading the same payment again: the first one answers, nothing more is recorded
    # (though the invoice is paid, which a new payment would be refused for).
    again, still = await pay("100")
    assert again.id == first.id and first.external_id == external
    assert (paid.status, still.status, still.amount_paid) == (Status.PAID, Status.PAID,
                                                              Decimal("100.00"))
    assert len(await uow.payments.of_invoice(invoice.id)) == 1
    assert uow.outbox.types().count("invoice.payment_recorded") == 1
    with pytest.raises(Conflict):  # without its external id it is a new payment: refused
        await pay("100", external_id=None)
    with pytest.raises(InvalidArgument) as refused:
        payments.external_id_of("x" * 201)
    assert refused.value.field_errors[0].field == "external_id"


def a_generation(invoice_id: uuid.UUID | None = None) -> commands.GenerateInvoice:
    return commands.GenerateInvoice(
        invoice_id=invoice_id or uuid.uuid4(), project_id=PROJECT.id,
        period_start=date(2026, 3, 2), period_end=date(2026, 3, 8), group_by=GroupBy.PROJECT,
        include_expenses=True, terms=TERMS)


RESERVED = Reservation(entries=(BillableEntry(
    uuid.uuid4(), date(2026, 3, 3), Decimal("2.50"), Decimal("150"), "EUR"),))


async def test_a_generation_records_its_intent_then_completes_into_a_draft():
    uow, command = manager_uow(), a_generation()
    assert await generation.begin(command, uow, project=PROJECT, org=ORG,
                                  lease_seconds=60) is None
    assert await invoices.list_invoices(commands.ListInvoices(after=None, limit=9), uow) == []
    draft = await generation.complete(command, uow, reservation=RESERVED, names=Names())
    assert (draft.status, draft.total, draft.project_name) == (
        Status.DRAFT, Decimal("375.00"), "Relaunch")
    assert draft.time_entry_ids == [RESERVED.entries[0].id]
    # The same request again (its Idempotency-Key names the same invoice) answers the draft.
    again = await generation.begin(command, uow, project=PROJECT, org=ORG, lease_seconds=60)
    assert again is not None and again.id == draft.id


async def test_a_generation_given_up_frees_its_time_and_cannot_complete_after():
    uow, command = manager_uow(), a_generation()
    await generation.begin(command, uow, project=PROJECT, org=ORG, lease_seconds=60)
    assert await generation.abandon(uow, command.invoice_id, PROJECT.id, CLIENT.id)
    assert not await generation.abandon(uow, command.invoice_id, PROJECT.id, CLIENT.id)
    assert [e.invoice_id for e in uow.outbox.of_type("invoice.deleted")] == [
        str(command.invoice_id)]
    with pytest.raises(Unavailable):
        await generation.complete(command, uow, reservation=RESERVED, names=Names())
    with pytest.raises(Conflict):  # a retry of a given-up generation
        await generation.begin(command, uow, project=PROJECT, org=ORG, lease_seconds=60)


async def test_a_reservation_for_no_live_generation_is_freed_again():
    uow = manager_uow()
    live = a_generation()
    await generation.begin(live, uow, project=PROJECT, org=ORG, lease_seconds=60)
    await generation.on_reserved_elsewhere(uow, live.invoice_id, PROJECT.id)
    assert uow.outbox.types() == []
    stray = uuid.uuid4()
    await generation.on_reserved_elsewhere(uow, stray, PROJECT.id)
    assert [e.invoice_id for e in uow.outbox.of_type("invoice.deleted")] == [str(stray)]


async def test_an_archived_project_and_a_bad_period_are_named_together():
    uow = manager_uow()
    command = commands.GenerateInvoice(
        invoice_id=uuid.uuid4(), project_id=PROJECT.id, period_start=date(2026, 3, 8),
        period_end=date(2026, 3, 2), group_by=GroupBy.PROJECT, include_expenses=True,
        terms=TERMS)
    archived = Project(id=PROJECT.id, name="Old", client_id=None, archived=True)
    with pytest.raises(InvalidArgument) as refused:
        await generation.begin(command, uow, project=archived, org=ORG, lease_seconds=60)
    assert {e.field for e in refused.value.field_errors} == {"period_end", "project_id"}


async def test_only_owners_and_admins_change_the_plan_and_it_waits_for_stripe():
    uow = FakeBillingUnitOfWork(caller=a_caller(Role.ADMIN))
    assert (await subscriptions.get_subscription(commands.GetSubscription(), uow)).plan is (
        Plan.FREE)
    changed = await subscriptions.change_subscription(
        commands.ChangeSubscription(Plan.GROWTH), uow)
    assert (changed.plan, changed.status) == (Plan.GROWTH, "pending")
    assert uow.outbox.types() == ["subscription.changed"]
    with pytest.raises(PermissionDenied):
        await subscriptions.change_subscription(
            commands.ChangeSubscription(Plan.SCALE),
            FakeBillingUnitOfWork(caller=a_caller(Role.MANAGER)))
