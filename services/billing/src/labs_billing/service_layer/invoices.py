"""Invoices by hand and their life: create, read, change a draft, delete it, send (the next
gapless number), void; each handler runs in one transaction as the caller, with what other
services answered asked before it opened (entrypoints/grpc_servicer.py)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

from labs_billing.domain import commands, rules
from labs_billing.domain.directory import Client, Organization, Project
from labs_billing.domain.model import (
    DEFAULT_PAYMENT_TERMS_DAYS,
    Invoice,
    Item,
    ItemKind,
    Status,
    invoice_number,
)
from labs_billing.service_layer import access, events
from labs_billing.service_layer.unit_of_work import BillingUnitOfWork
from labs_common.errors import FieldErrors, InvalidArgument
from labs_common.etag import require_match
from labs_common.zones import today_in

EDITABLE = frozenset({"items", "notes", "due_date", "tax_rate", "issue_date"})


def terms_of(invoice: Invoice, terms: commands.InvoiceTerms) -> Invoice:
    """The invoice with the terms given (None: keep)."""
    given = {name: value for name, value in (
        ("issue_date", terms.issue_date), ("due_date", terms.due_date),
        ("payment_terms_days", terms.payment_terms_days), ("tax_rate", terms.tax_rate),
        ("notes", terms.notes)) if value is not None}
    return replace(invoice, **given)


def billed_party(project: Project | None, client: Client | None, org: Organization
                 ) -> tuple[uuid.UUID | None, str, str]:
    """The client billed and its name, and the currency by default."""
    if project is not None:
        return project.client_id, project.client_name, project.currency or org.currency
    assert client is not None
    return client.id, client.name, client.currency or org.currency


async def create_invoice(command: commands.CreateInvoice, uow: BillingUnitOfWork, *,
                         org: Organization, project: Project | None, client: Client | None
                         ) -> Invoice:
    access.require_manager(uow.caller)
    problems = FieldErrors()
    rules.check_items(command.items, problems, required=True)
    rules.check_terms(command.terms, problems)
    problems.raise_any()
    client_id, client_name, currency = billed_party(project, client, org)
    invoice = terms_of(Invoice(
        id=uuid.uuid4(), org_id=uow.caller.org_id, client_id=client_id,
        project_id=project.id if project else None, currency=command.currency or currency,
        items=[Item(id=uuid.uuid4(), kind=ItemKind.MANUAL, description=i.description.strip(),
                    quantity=i.quantity, unit_price=i.unit_price) for i in command.items],
        client_name=client_name, project_name=project.name if project else "",
        agency_name=org.name, timezone=org.timezone, created_by=uow.caller.user_id,
        payment_terms_days=DEFAULT_PAYMENT_TERMS_DAYS,
    ), command.terms)
    invoice = await uow.invoices.add(invoice)
    await events.drafted(uow, invoice, "created")
    return invoice


async def get_invoice(command: commands.GetInvoice, uow: BillingUnitOfWork) -> Invoice:
    access.require_reader(uow.caller)
    return access.readable(await uow.invoices.get(command.id), uow.caller)


async def list_invoices(command: commands.ListInvoices, uow: BillingUnitOfWork) -> list[Invoice]:
    access.require_reader(uow.caller)
    caller = uow.caller
    client_id = command.client_id
    if caller.role.value == "client":
        if client_id is not None and str(client_id) != str(caller.client_id):
            return []
        client_id = caller.client_id
        if command.status is Status.DRAFT:
            return []
    return await uow.invoices.page(
        after=command.after, limit=command.limit, status=command.status,
        project_id=command.project_id, client_id=client_id, date_from=command.date_from,
        date_to=command.date_to, issued_only=caller.role.value == "client")


async def update_invoice(command: commands.UpdateInvoice, uow: BillingUnitOfWork) -> Invoice:
    access.require_manager(uow.caller)
    invoice = access.readable(await uow.invoices.get(command.id, lock=True), uow.caller)
    require_match(invoice.etag, list(command.if_match), "invoice")
    invoice.require_draft("changed")
    unknown = command.fields - EDITABLE
    if unknown:
        raise InvalidArgument.on(sorted(unknown)[0], "cannot be changed on an invoice")
    problems = FieldErrors()
    rules.check_terms(command.terms, problems)
    if "items" in command.fields:
        rules.check_items(command.items, problems, required=False)
    problems.raise_any()
    changed = terms_of(invoice, command.terms)
    if "items" in command.fields:
        changed.items = kept_items(invoice, command.items)
    if "due_date" in command.fields and command.terms.due_date is None:
        changed.due_date = None
    if changed.due_date and changed.issue_date and changed.due_date < changed.issue_date:
        raise InvalidArgument.on("due_date", "must not be before the issue date")
    saved = await uow.invoices.save(changed)
    await events.drafted(uow, saved, "updated", tuple(sorted(command.fields)))
    return saved


def kept_items(invoice: Invoice, given: tuple[commands.ItemFields, ...]) -> list[Item]:
    """The draft's new items: manual ones as given; a time or expense item given back by id
    keeps its entries and figures (its description may change). Leaving one out would strand
    its time on a draft that no longer bills it, so that is refused: delete the draft instead."""
    current = {item.id: item for item in invoice.items}
    items, problems = [], FieldErrors()
    for n, fields in enumerate(given):
        old = current.get(fields.id) if fields.id else None
        if fields.id and old is None:
            problems.check(lambda n=n: _fail(f"items[{n}].id", "no such item on this invoice"))
            continue
        if old is not None and old.kind is not ItemKind.MANUAL:
            if (fields.quantity, fields.unit_price) != (old.quantity, old.unit_price):
                problems.check(lambda n=n: _fail(
                    f"items[{n}].quantity", "a billed item's hours and rate come from its "
                    "time entries or expense and cannot change"))
            items.append(replace(old, description=fields.description.strip()))
        else:
            items.append(Item(id=old.id if old else uuid.uuid4(), kind=ItemKind.MANUAL,
                              description=fields.description.strip(),
                              quantity=fields.quantity, unit_price=fields.unit_price))
    kept = {item.id for item in items}
    dropped = [i for i in invoice.items if i.kind is not ItemKind.MANUAL and i.id not in kept]
    if dropped:
        problems.check(lambda: _fail("items", "time and expense items cannot be removed from a "
                                     "draft; delete the draft to free its time"))
    problems.raise_any()
    return items


async def delete_invoice(command: commands.DeleteInvoice, uow: BillingUnitOfWork) -> Invoice:
    access.require_manager(uow.caller)
    invoice = access.readable(await uow.invoices.get(command.id, lock=True), uow.caller)
    require_match(invoice.etag, list(command.if_match), "invoice")
    invoice.require_draft("deleted")
    await uow.invoices.delete(invoice.id)
    await events.deleted(uow, invoice.id, invoice.project_id, invoice.client_id)
    return invoice


async def send_invoice(command: commands.SendInvoice, uow: BillingUnitOfWork, *,
                       org: Organization, stripe: bool = False) -> Invoice:
    access.require_manager(uow.caller)
    invoice = access.readable(await uow.invoices.get(command.id, lock=True), uow.caller)
    if invoice.status is not Status.DRAFT:
        return invoice  # a retried send: the invoice as it was issued
    if not invoice.items:
        raise InvalidArgument.on("items", "an invoice needs at least one item to be sent")
    invoice.timezone, invoice.agency_name = org.timezone, org.name
    number = invoice_number(org.invoice_prefix, await uow.invoices.next_number())
    invoice.issue(number, today_in(org.timezone), datetime.now(UTC))
    saved = await uow.invoices.save(invoice)
    if stripe and saved.total > 0:
        await uow.invoices.want_stripe(saved.id, "pending")
    await events.changed(uow, saved, "issued")
    if saved.status is Status.PAID:
        await events.changed(uow, saved, "paid")
    return saved


async def void_invoice(command: commands.VoidInvoice, uow: BillingUnitOfWork, *,
                       stripe: bool = False) -> Invoice:
    access.require_manager(uow.caller)
    invoice = access.readable(await uow.invoices.get(command.id, lock=True), uow.caller)
    if invoice.status is Status.VOID:
        return invoice
    invoice.void(datetime.now(UTC))
    saved = await uow.invoices.save(invoice)
    if stripe and saved.stripe_invoice_id:
        await uow.invoices.want_stripe(saved.id, "void_pending")
    await events.changed(uow, saved, "voided")
    return saved


async def render_source(command: commands.RenderInvoice, uow: BillingUnitOfWork) -> Invoice:
    """The invoice a PDF is drawn from (rendering happens after the transaction)."""
    return await get_invoice(commands.GetInvoice(command.id), uow)


def _fail(field: str, message: str) -> None:
    raise InvalidArgument.on(field, message)

