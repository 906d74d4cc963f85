"""Billing's saga steps on time entries and expenses, each idempotent by invoice id.

reserve: free billable entries of a project in a period get the invoice id, and with
`include_expenses` its free billable expenses dated in the period too (rows another transaction is
reserving are skipped, and the UPDATE only takes rows still free, so an entry or expense is on at
most one invoice even when two invoices are generated at once); mark_invoiced: the invoice was
issued, its entries become invoiced (its expenses stay held: an expense is invoiced by carrying
the invoice id); release: the invoice was voided, deleted or its generation failed, and its
entries and expenses are free again.

Each step runs twice on purpose: billing calls the RPC right after its commit, and time's durable
consumers hear the same outcome from billing's events (entrypoints/consumers.py), so the saga
completes even when billing dies in between. `invoice_issued` and `free_invoice` are what both
paths run (the consumers act for no caller, hence no role check there); in any order, twice or
more, they end in the same state: a step only moves rows still holding the invoice id, so
marking after a release finds nothing, and a second release finds nothing either. Rows are
locked entries first, then expenses, in every step.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from labs_common.auth.roles import Role
from labs_common.errors import Conflict, InvalidArgument
from labs_time.adapters import proto
from labs_time.domain import commands, rules
from labs_time.domain.model import Expense, TimeEntry
from labs_time.service_layer.unit_of_work import TimeUnitOfWork


@dataclass(frozen=True)
class Held:
    """What an invoice holds, or what a step moved: time entries and expenses."""

    entries: list[TimeEntry]
    expenses: list[Expense] = field(default_factory=list)


def period(start: str, end: str) -> tuple[date, date]:
    first = rules.parse_date(start, "period_start")
    last = rules.parse_date(end, "period_end")
    if last < first:
        raise InvalidArgument.on("period_end", "must not be before period_start")
    return first, last


async def list_billable(command: commands.ListBillableEntries, uow: TimeUnitOfWork) -> Held:
    uow.caller.require(Role.MANAGER)
    first, last = period(command.period_start, command.period_end)
    entries = await uow.entries.billable_free(command.project_id, first, last)
    if not command.include_expenses:
        return Held(entries)
    return Held(entries, await uow.expenses.billable_free(command.project_id, first, last))


async def reserve(command: commands.ReserveEntries, uow: TimeUnitOfWork) -> Held:
    uow.caller.require(Role.MANAGER)
    invoice, project = command.invoice_id, command.project_id
    first, last = period(command.period_start, command.period_end)
    held = await _held(uow, invoice)
    if held.entries or held.expenses:
        return held  # a repeat of this step
    if command.entry_ids:
        ids = sorted(set(command.entry_ids))
        wanted = await uow.entries.by_ids(ids)
        free = await uow.entries.billable_free(project, first, last, ids=ids)
        if len(wanted) != len(ids) or len(free) != len(ids):
            raise Conflict("Some entries are not billable, not in the period, or already on an "
                           "invoice.", reason="ENTRIES_UNAVAILABLE")
    else:
        free = await uow.entries.billable_free(project, first, last, lock=True)
    reserved = await uow.entries.reserve_for(invoice, [entry.id for entry in free])
    await _announce(uow, "entry.reserved", reserved)
    expenses = []
    if command.include_expenses:
        for expense in await uow.expenses.billable_free(project, first, last, lock=True):
            expense.invoice_id = invoice
            expense = await uow.expenses.save(expense)
            await uow.outbox.add("expense.reserved", proto.expense_changed(expense),
                                 project_id=expense.project_id)
            expenses.append(expense)
    return Held(reserved, expenses)


async def _held(uow: TimeUnitOfWork, invoice_id: uuid.UUID) -> Held:
    """What the invoice holds, its rows locked (entries first, then expenses)."""
    entries = await uow.entries.of_invoice(invoice_id)
    return Held(entries, await uow.expenses.of_invoice(invoice_id))


async def mark_invoiced(command: commands.MarkEntriesInvoiced, uow: TimeUnitOfWork) -> Held:
    uow.caller.require(Role.MANAGER)
    return await invoice_issued(uow, command.id)


async def invoice_issued(uow: TimeUnitOfWork, invoice_id: uuid.UUID) -> Held:
    """The invoice was issued: its reserved entries become invoiced and locked (those already are
    stay as they are); its expenses stay held by the invoice id. Needs no caller."""
    held = await _held(uow, invoice_id)
    newly = await uow.entries.invoice_all(invoice_id)
    await _announce(uow, "entry.invoiced", newly)
    changed = {entry.id: entry for entry in newly}
    return Held([changed.get(entry.id, entry) for entry in held.entries], held.expenses)


async def release(command: commands.ReleaseEntries, uow: TimeUnitOfWork) -> Held:
    uow.caller.require(Role.MANAGER)
    return await free_invoice(uow, command.id)


async def free_invoice(uow: TimeUnitOfWork, invoice_id: uuid.UUID) -> Held:
    """Every entry and expense of the invoice is free again (nothing left: nothing happens).
    Needs no caller."""
    held = await _held(uow, invoice_id)
    released = await uow.entries.free_all(invoice_id) if held.entries else []
    await _announce(uow, "entry.released", released)
    expenses = []
    for expense in held.expenses:
        expense.invoice_id = None
        expense = await uow.expenses.save(expense)
        await uow.outbox.add("expense.released", proto.expense_changed(expense),
                             project_id=expense.project_id)
        expenses.append(expense)
    return Held(released, expenses)


async def _announce(uow: TimeUnitOfWork, event_type: str, entries: list[TimeEntry]) -> None:
    """One event per entry (consumers keep per-entry state), written in one statement: the
    entries of one invoice are of one project."""
    by_project: dict[uuid.UUID, list[TimeEntry]] = {}
    for entry in entries:
        by_project.setdefault(entry.project_id, []).append(entry)
    for project_id, group in by_project.items():
        await uow.outbox.add_many(event_type, [proto.entry_changed(e) for e in group],
                                  project_id=project_id)
