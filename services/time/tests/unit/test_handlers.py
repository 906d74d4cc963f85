"""Time's billing saga handlers with a fake unit of work: no I/O."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from labs_common.auth.roles import Role
from labs_common.errors import Conflict, PermissionDenied
from labs_common.testing.fakes import FakeUnitOfWork, a_caller
from labs_time.domain import commands
from labs_time.domain.model import Rates, TimeEntry
from labs_time.service_layer import invoicing


class FakeEntries:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, TimeEntry] = {}

    async def of_invoice(self, invoice_id):
        return [replace(e) for e in self.rows.values() if e.invoice_id == invoice_id]

    async def by_ids(self, ids):
        return [replace(self.rows[i]) for i in ids if i in self.rows]

    async def billable_free(self, project_id, first, last, *, ids=None, lock=False):
        return [replace(e) for e in self.rows.values()
                if e.project_id == project_id and e.billable and e.invoice_id is None
                and first <= e.date_worked <= last and (ids is None or e.id in ids)]

    async def save(self, entry):
        self.rows[entry.id] = replace(entry)
        return entry


class FakeTimeUnitOfWork(FakeUnitOfWork):
    def _start(self) -> None:
        self.entries = FakeEntries()


PROJECT = uuid.uuid4()


def _entry(uow, day: date, *, billable: bool = True) -> TimeEntry:
    entry = TimeEntry(uuid.uuid4(), uow.caller.org_id, PROJECT, uuid.uuid4(), day,
                      Decimal("2"), Decimal("2"), billable, Rates(Decimal("100"), None, "USD",
                                                                  "resource"))
    uow.entries.rows[entry.id] = entry
    return entry


def _reserve(invoice: uuid.UUID, *entry_ids: uuid.UUID) -> commands.ReserveEntries:
    return commands.ReserveEntries(invoice, PROJECT, "2026-01-01", "2026-01-31", entry_ids)


async def test_reserving_holds_the_free_billable_entries_of_the_period_once():
    uow = FakeTimeUnitOfWork(caller=a_caller(Role.MANAGER))
    inside = _entry(uow, date(2026, 1, 10))
    _entry(uow, date(2026, 2, 1))
    _entry(uow, date(2026, 1, 11), billable=False)
    invoice = uuid.uuid4()
    held = await invoicing.reserve(_reserve(invoice), uow)
    assert [e.id for e in held] == [inside.id]
    assert [e.id for e in await invoicing.reserve(_reserve(invoice), uow)] == [inside.id]
    assert uow.outbox.types() == ["entry.reserved"]


async def test_an_entry_on_another_invoice_cannot_be_reserved_again():
    uow = FakeTimeUnitOfWork(caller=a_caller(Role.MANAGER))
    entry = _entry(uow, date(2026, 1, 10))
    await invoicing.reserve(_reserve(uuid.uuid4(), entry.id), uow)
    with pytest.raises(Conflict):
        await invoicing.reserve(_reserve(uuid.uuid4(), entry.id), uow)


async def test_releasing_frees_what_an_invoice_held():
    uow = FakeTimeUnitOfWork(caller=a_caller(Role.MANAGER))
    entry = _entry(uow, date(2026, 1, 10))
    invoice = uuid.uuid4()
    await invoicing.reserve(_reserve(invoice), uow)
    released = await invoicing.release(commands.ReleaseEntries(invoice), uow)
    assert [e.id for e in released] == [entry.id] and uow.entries.rows[entry.id].invoice_id is None


async def test_members_take_no_part_in_billing():
    uow = FakeTimeUnitOfWork(caller=a_caller(Role.MEMBER))
    with pytest.raises(PermissionDenied):
        await invoicing.release(commands.ReleaseEntries(uuid.uuid4()), uow)
