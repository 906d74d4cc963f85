"""Billing's saga steps on time entries, each idempotent by invoice id.

reserve: free billable entries of a project in a period get the invoice id (rows another
transaction is reserving are skipped, and the UPDATE only takes rows still free, so an entry is on
at most one invoice even when two invoices are generated at once); mark_invoiced: the invoice was
issued; release: the invoice was voided or its generation failed, and its entries are free again.
"""

from __future__ import annotations

import uuid
from datetime import date

from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import Conflict, InvalidArgument
from labs_time.adapters import proto
from labs_time.domain import rules
from labs_time.domain.model import TimeEntry
from labs_time.service_layer.unit_of_work import TimeUnitOfWork


def _uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise InvalidArgument.on(field, "must be a UUID") from error


def period(start: str, end: str) -> tuple[date, date]:
    first = rules.parse_date(start, "period_start")
    last = rules.parse_date(end, "period_end")
    if last < first:
        raise InvalidArgument.on("period_end", "must not be before period_start")
    return first, last


async def list_billable(uow: TimeUnitOfWork, principal: Principal, project_id: str,
                        start: str, end: str) -> list[TimeEntry]:
    principal.require(Role.MANAGER)
    first, last = period(start, end)
    return await uow.entries.billable_free(_uuid(project_id, "project_id"), first, last)


async def reserve(uow: TimeUnitOfWork, principal: Principal, invoice_id: str, project_id: str,
                  start: str, end: str, entry_ids: list[str]) -> list[TimeEntry]:
    principal.require(Role.MANAGER)
    invoice = _uuid(invoice_id, "invoice_id")
    project = _uuid(project_id, "project_id")
    first, last = period(start, end)
    if already := await uow.entries.of_invoice(invoice):
        return already  # a repeat of this step
    if entry_ids:
        ids = sorted({_uuid(i, "entry_ids") for i in entry_ids})
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


async def mark_invoiced(uow: TimeUnitOfWork, principal: Principal, invoice_id: str
                        ) -> list[TimeEntry]:
    principal.require(Role.MANAGER)
    entries = await uow.entries.of_invoice(_uuid(invoice_id, "invoice_id"))
    done = []
    for entry in entries:
        if not entry.invoiced:
            entry.invoiced, entry.is_locked, entry.locked_reason = True, True, "invoiced"
            entry = await uow.entries.save(entry)
            await uow.outbox.add("entry.invoiced", proto.entry_changed(entry),
                                 project_id=entry.project_id)
        done.append(entry)
    return done


async def release(uow: TimeUnitOfWork, principal: Principal, invoice_id: str) -> list[TimeEntry]:
    principal.require(Role.MANAGER)
    entries = await uow.entries.of_invoice(_uuid(invoice_id, "invoice_id"))
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
