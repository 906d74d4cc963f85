"""Billing's saga steps on time entries, each idempotent by invoice id.

reserve: free billable entries of a project in a period get the invoice id (rows another
transaction is reserving are skipped, and the UPDATE only takes rows still free, so an entry is on
at most one invoice even when two invoices are generated at once); mark_invoiced: the invoice was
issued; release: the invoice was voided or its generation failed, and its entries are free again.
"""

from __future__ import annotations

from datetime import date

from labs_common.auth.roles import Role
from labs_common.errors import Conflict, InvalidArgument
from labs_time.adapters import proto
from labs_time.domain import commands, rules
from labs_time.domain.model import TimeEntry
from labs_time.service_layer.unit_of_work import TimeUnitOfWork


def period(start: str, end: str) -> tuple[date, date]:
    first = rules.parse_date(start, "period_start")
    last = rules.parse_date(end, "period_end")
    if last < first:
        raise InvalidArgument.on("period_end", "must not be before period_start")
    return first, last


async def list_billable(command: commands.ListBillableEntries, uow: TimeUnitOfWork
                        ) -> list[TimeEntry]:
    uow.caller.require(Role.MANAGER)
    first, last = period(command.period_start, command.period_end)
    return await uow.entries.billable_free(command.project_id, first, last)


async def reserve(command: commands.ReserveEntries, uow: TimeUnitOfWork) -> list[TimeEntry]:
    uow.caller.require(Role.MANAGER)
    invoice, project = command.invoice_id, command.project_id
    first, last = period(command.period_start, command.period_end)
    if already := await uow.entries.of_invoice(invoice):
        return already  # a repeat of this step
    if command.entry_ids:
        ids = sorted(set(command.entry_ids))
        wanted = await uow.entries.by_ids(ids)
        free = await uow.entries.billable_free(project, first, last, ids=ids)
        if len(wanted) != len(ids) or len(free) != len(ids):
            raise Conflict("Some entries are not billable, not in the period, or already on an "
                           "invoice.", reason="ENTRIES_UNAVAILABLE")
    else:
        free = await uow.entries.billable_free(project, first, last, lock=True)
    reserved = []
    for entry in free:
        entry.invoice_id = invoice
        entry = await uow.entries.save(entry)
        await uow.outbox.add("entry.reserved", proto.entry_changed(entry),
                             project_id=entry.project_id)
        reserved.append(entry)
    return reserved


async def mark_invoiced(command: commands.MarkEntriesInvoiced, uow: TimeUnitOfWork
                        ) -> list[TimeEntry]:
    uow.caller.require(Role.MANAGER)
    entries = await uow.entries.of_invoice(command.id)
    done = []
    for entry in entries:
        if not entry.invoiced:
            entry.invoiced, entry.is_locked, entry.locked_reason = True, True, "invoiced"
            entry = await uow.entries.save(entry)
            await uow.outbox.add("entry.invoiced", proto.entry_changed(entry),
                                 project_id=entry.project_id)
        done.append(entry)
    return done


async def release(command: commands.ReleaseEntries, uow: TimeUnitOfWork) -> list[TimeEntry]:
    uow.caller.require(Role.MANAGER)
    entries = await uow.entries.of_invoice(command.id)
    released = []
    for entry in entries:
        entry.invoice_id, entry.invoiced = None, False
        if entry.locked_reason == "invoiced":
            entry.is_locked, entry.locked_reason = entry.status == "approved", (
                "approved" if entry.status == "approved" else "")
        entry = await uow.entries.save(entry)
        await uow.outbox.add("entry.released", proto.entry_changed(entry),
                             project_id=entry.project_id)
        released.append(entry)
    return released
