"""Time's billing saga handlers with a fake unit of work: no I/O. Time entries and expenses join
an invoice, leave it, and an expense an invoice holds refuses changes."""

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
from labs_time.domain.model import Expense, Rates, TimeEntry
from labs_time.service_layer import expenses, invoicing
from labs_time.service_layer.asked import SKIPPED


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

    # The saga's one-statement steps, with the SQL's rules.

    async def reserve_for(self, invoice_id, entry_ids):
        return self._change([e for e in self.rows.values()
                             if e.id in entry_ids and e.invoice_id is None],
                            invoice_id=invoice_id)

    async def invoice_all(self, invoice_id):
        return self._change([e for e in self.rows.values()
                             if e.invoice_id == invoice_id and not e.invoiced],
                            invoiced=True, is_locked=True, locked_reason="invoiced")

    async def free_all(self, invoice_id):
        changed = []
        for entry in [e for e in self.rows.values() if e.invoice_id == invoice_id]:
            lock = {}
            if entry.locked_reason == "invoiced":
                approved = entry.status == "approved"
                lock = {"is_locked": approved, "locked_reason": "approved" if approved else ""}
            changed += self._change([entry], invoice_id=None, invoiced=False, **lock)
        return changed

    def _change(self, entries, **values):
        for entry in entries:
            self.rows[entry.id] = replace(entry, **values)
        return [replace(self.rows[e.id]) for e in entries]


class FakeExpenses:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Expense] = {}

    async def get(self, expense_id, *, for_update=False):
        found = self.rows.get(expense_id)
        return replace(found) if found else None

    async def of_invoice(self, invoice_id):
        return sorted((replace(x) for x in self.rows.values() if x.invoice_id == invoice_id),
                      key=lambda x: (x.expense_date, x.id))

    async def billable_free(self, project_id, first, last, *, lock=False):
        return sorted((replace(x) for x in self.rows.values()
                       if x.project_id == project_id and x.billable and x.invoice_id is None
                       and first <= x.expense_date <= last),
                      key=lambda x: (x.expense_date, x.id))

    async def save(self, expense):
        expense = replace(expense, version=expense.version + 1)
        self.rows[expense.id] = replace(expense)
        return expense

    async def delete(self, expense_id):
        del self.rows[expense_id]


class FakeTimeUnitOfWork(FakeUnitOfWork):
    def _start(self) -> None:
        self.entries = FakeEntries()
        self.expenses = FakeExpenses()


PROJECT = uuid.uuid4()


def _entry(uow, day: date, *, billable: bool = True) -> TimeEntry:
    entry = TimeEntry(PROJECT, uuid.uuid4(), day,
                      Decimal("2"), Decimal("2"), billable, Rates(Decimal("100"), None, "USD",
                                                                  "resource"),
                      id=uuid.uuid4(), org_id=uow.caller.org_id)
    uow.entries.rows[entry.id] = entry
    return entry


def _expense(uow, day: date, *, billable: bool = True, project_id: uuid.UUID = PROJECT
             ) -> Expense:
    org = uow.scope.org_id
    expense = Expense(project_id, uuid.uuid4(), "Train", Decimal("80.00"), "USD", day, "travel",
                      billable, id=uuid.uuid4(), org_id=org)
    uow.expenses.rows[expense.id] = expense
    return expense


def _reserve(invoice: uuid.UUID, *entry_ids: uuid.UUID, include_expenses: bool = False
             ) -> commands.ReserveEntries:
    return commands.ReserveEntries(invoice, PROJECT, "2026-01-01", "2026-01-31", entry_ids,
                                   include_expenses=include_expenses)


async def test_reserving_holds_the_free_billable_entries_of_the_period_once():
    uow = FakeTimeUnitOfWork(caller=a_caller(Role.MANAGER))
    inside = _entry(uow, date(2026, 1, 10))
    _entry(uow, date(2026, 2, 1))
    _entry(uow, date(2026, 1, 11), billable=False)
    invoice = uuid.uuid4()
    held = await invoicing.reserve(_reserve(invoice), uow)
    assert [e.id for e in held.entries] == [inside.id] and held.expenses == []
    assert [e.id for e in (await invoicing.reserve(_reserve(invoice), uow)).entries] == [
        inside.id]
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
    assert [e.id for e in released.entries] == [entry.id]
    assert uow.entries.rows[entry.id].invoice_id is None


async def test_members_take_no_part_in_billing():
    uow = FakeTimeUnitOfWork(caller=a_caller(Role.MEMBER))
    with pytest.raises(PermissionDenied):
        await invoicing.release(commands.ReleaseEntries(uuid.uuid4()), uow)


async def test_expenses_are_reserved_only_when_asked_and_only_free_billable_ones_in_the_period():
    uow = FakeTimeUnitOfWork(caller=a_caller(Role.MANAGER))
    entry = _entry(uow, date(2026, 1, 10))
    inside = _expense(uow, date(2026, 1, 12))
    _expense(uow, date(2026, 2, 1))
    _expense(uow, date(2026, 1, 12), billable=False)
    _expense(uow, date(2026, 1, 12), project_id=uuid.uuid4())
    taken = _expense(uow, date(2026, 1, 13))
    taken.invoice_id = uuid.uuid4()

    without = await invoicing.list_billable(
        commands.ListBillableEntries(PROJECT, "2026-01-01", "2026-01-31"), uow)
    listed = await invoicing.list_billable(
        commands.ListBillableEntries(PROJECT, "2026-01-01", "2026-01-31",
                                     include_expenses=True), uow)
    assert without.expenses == [] and [x.id for x in listed.expenses] == [inside.id]

    invoice = uuid.uuid4()
    held = await invoicing.reserve(_reserve(invoice, include_expenses=True), uow)
    assert [e.id for e in held.entries] == [entry.id]
    assert [x.id for x in held.expenses] == [inside.id]
    assert uow.expenses.rows[inside.id].invoice_id == invoice
    assert uow.outbox.types() == ["entry.reserved", "expense.reserved"]
    (payload,) = uow.outbox.of_type("expense.reserved")
    assert payload.expense_id == str(inside.id) and payload.expense.invoice_id == str(invoice)


async def test_a_repeated_reservation_answers_what_the_invoice_holds_entries_and_expenses():
    uow = FakeTimeUnitOfWork(caller=a_caller(Role.MANAGER))
    entry = _entry(uow, date(2026, 1, 10))
    expense = _expense(uow, date(2026, 1, 12))
    invoice = uuid.uuid4()
    await invoicing.reserve(_reserve(invoice, include_expenses=True), uow)
    _entry(uow, date(2026, 1, 20))  # logged after: not part of the repeat
    _expense(uow, date(2026, 1, 21))
    again = await invoicing.reserve(_reserve(invoice, include_expenses=True), uow)
    assert [e.id for e in again.entries] == [entry.id]
    assert [x.id for x in again.expenses] == [expense.id]
    assert uow.outbox.types() == ["entry.reserved", "expense.reserved"]


async def test_an_invoice_of_expenses_only_is_still_a_repeat():
    uow = FakeTimeUnitOfWork(caller=a_caller(Role.MANAGER))
    expense = _expense(uow, date(2026, 1, 12))
    invoice = uuid.uuid4()
    await invoicing.reserve(_reserve(invoice, include_expenses=True), uow)
    _expense(uow, date(2026, 1, 13))
    again = await invoicing.reserve(_reserve(invoice, include_expenses=True), uow)
    assert again.entries == [] and [x.id for x in again.expenses] == [expense.id]


async def test_marking_invoiced_keeps_the_expenses_held_and_release_frees_them_once():
    uow = FakeTimeUnitOfWork(caller=a_caller(Role.MANAGER))
    entry = _entry(uow, date(2026, 1, 10))
    expense = _expense(uow, date(2026, 1, 12))
    invoice = uuid.uuid4()
    await invoicing.reserve(_reserve(invoice, include_expenses=True), uow)

    marked = await invoicing.mark_invoiced(commands.MarkEntriesInvoiced(invoice), uow)
    assert [e.invoiced for e in marked.entries] == [True]
    assert [x.id for x in marked.expenses] == [expense.id]
    assert uow.expenses.rows[expense.id].invoice_id == invoice

    freed = await invoicing.release(commands.ReleaseEntries(invoice), uow)
    assert [e.id for e in freed.entries] == [entry.id]
    assert [x.id for x in freed.expenses] == [expense.id]
    assert uow.expenses.rows[expense.id].invoice_id is None
    again = await invoicing.release(commands.ReleaseEntries(invoice), uow)
    assert again.entries == [] and again.expenses == []
    assert uow.outbox.types() == ["entry.reserved", "expense.reserved", "entry.invoiced",
                                  "entry.released", "expense.released"]


async def test_an_expense_an_invoice_holds_refuses_changes_and_deletion():
    uow = FakeTimeUnitOfWork(caller=a_caller(Role.MANAGER))
    expense = _expense(uow, date(2026, 1, 12))
    await invoicing.reserve(_reserve(uuid.uuid4(), include_expenses=True), uow)
    with pytest.raises(Conflict) as changed:
        await expenses.change_expense(commands.ChangeExpense(
            expense.id, commands.ExpenseChanges(description="Taxi")), uow, asked=SKIPPED)
    with pytest.raises(Conflict) as deleted:
        await expenses.delete_expense(commands.DeleteExpense(expense.id), uow)
    assert changed.value.reason == deleted.value.reason == "EXPENSE_INVOICED"
    assert uow.expenses.rows[expense.id].description == "Train"
