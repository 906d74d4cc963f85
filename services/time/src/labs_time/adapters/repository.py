"""SQLAlchemy repositories of time entries and expenses. Every query runs in a unit of work scoped
to one org (row-level security) and filters by org as well."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    Text,
    all_,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Row

from labs_common.db.repository import OrgScopedRepository
from labs_time.adapters.orm import expenses, time_entries
from labs_time.domain.model import Expense, Rates, TimeEntry

ENTRY_FIELDS = (
    "project_id", "task_id", "user_id", "resource_id", "date_worked", "hours", "rounded_hours",
    "started_at", "ended_at", "is_running", "billable", "notes", "status", "is_locked",
    "locked_reason", "invoice_id", "invoiced", "source", "fingerprint", "external_id",
)


# Built once (the columns come with the parameters): every time entry written runs it.
_INSERT_ENTRY = insert(time_entries).returning(*time_entries.c)


@dataclass(frozen=True)
class EntryFilter:
    project_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    resource_id: uuid.UUID | None = None
    task_id: uuid.UUID | None = None
    date_from: date | None = None
    date_to: date | None = None
    billable: bool | None = None
    invoiced: bool | None = None


def entry_values(entry: TimeEntry) -> dict:
    values = {name: getattr(entry, name) for name in ENTRY_FIELDS}
    values.update(
        billable_rate=entry.rates.billable_rate,
        cost_rate=entry.rates.cost_rate,
        currency=entry.rates.currency,
        rate_source=entry.rates.source,
    )
    return values


def to_entry(row: Row) -> TimeEntry:
    m = row._mapping
    return TimeEntry(
        id=m["id"], org_id=m["org_id"],
        rates=Rates(m["billable_rate"], m["cost_rate"], m["currency"], m["rate_source"]),
        version=m["version"], created_at=m["created_at"], updated_at=m["updated_at"],
        **{name: m[name] for name in ENTRY_FIELDS},
    )


class SqlAlchemyTimeEntryRepository(OrgScopedRepository):
    async def add(self, entry: TimeEntry) -> TimeEntry:
        row = (await self._session.execute(_INSERT_ENTRY, {
            "id": entry.id, "org_id": entry.org_id, **entry_values(entry)})).one()
        return to_entry(row)

    async def get(self, entry_id: uuid.UUID, *, for_update: bool = False) -> TimeEntry | None:
        query = select(time_entries).where(
            time_entries.c.org_id == self._org_id, time_entries.c.id == entry_id
        )
        row = (await self._session.execute(
            query.with_for_update() if for_update else query)).first()
        return to_entry(row) if row else None

    async def save(self, entry: TimeEntry) -> TimeEntry:
        row = (await self._session.execute(
            update(time_entries)
            .where(time_entries.c.org_id == self._org_id, time_entries.c.id == entry.id)
            .values(**entry_values(entry), version=time_entries.c.version + 1,
                    updated_at=func.clock_timestamp())
            .returning(*time_entries.c)
        )).one()
        return to_entry(row)

    async def delete(self, entry_id: uuid.UUID) -> None:
        await self._session.execute(delete(time_entries).where(
            time_entries.c.org_id == self._org_id, time_entries.c.id == entry_id))

    async def running_for(self, user_id: uuid.UUID, *, for_update: bool = False
                          ) -> TimeEntry | None:
        query = select(time_entries).where(
            time_entries.c.org_id == self._org_id, time_entries.c.user_id == user_id,
            time_entries.c.is_running.is_(True))
        row = (await self._session.execute(
            query.with_for_update() if for_update else query)).first()
        return to_entry(row) if row else None

    async def list(self, where: EntryFilter, after: tuple[date, uuid.UUID] | None,
                   limit: int) -> list[TimeEntry]:
        """Newest date first, then by id: a stable keyset order for cursors."""
        t = time_entries.c
        query = select(time_entries).where(t.org_id == self._org_id)
        for column, value in (
            (t.project_id, where.project_id), (t.user_id, where.user_id),
            (t.resource_id, where.resource_id), (t.task_id, where.task_id),
            (t.billable, where.billable), (t.invoiced, where.invoiced),
        ):
            if value is not None:
                query = query.where(column == value)
        if where.date_from is not None:
            query = query.where(t.date_worked >= where.date_from)
        if where.date_to is not None:
            query = query.where(t.date_worked <= where.date_to)
        if after is not None:
            query = query.where(or_(t.date_worked < after[0],
                                    and_(t.date_worked == after[0], t.id > after[1])))
        query = query.order_by(t.date_worked.desc(), t.id).limit(limit)
        return [to_entry(r) for r in (await self._session.execute(query)).all()]

    async def of_user_in_range(self, user_id: uuid.UUID, start: date, end: date, status: str
                               ) -> list[TimeEntry]:
        t = time_entries.c
        rows = (await self._session.execute(
            select(time_entries).where(
                t.org_id == self._org_id, t.user_id == user_id, t.status == status,
                t.is_running.is_(False), t.date_worked >= start, t.date_worked <= end)
            .order_by(t.date_worked, t.id).with_for_update()
        )).all()
        return [to_entry(r) for r in rows]

    async def by_ids(self, ids: list[uuid.UUID]) -> list[TimeEntry]:
        rows = (await self._session.execute(
            select(time_entries).where(time_entries.c.org_id == self._org_id,
                                       time_entries.c.id.in_(ids))
            .order_by(time_entries.c.id).with_for_update()
        )).all()
        return [to_entry(r) for r in rows]

    async def by_fingerprints(self, fingerprints: list[uuid.UUID]
                              ) -> dict[uuid.UUID, TimeEntry]:
        """The entries of these fingerprints, unlocked: most of what a sync sends is as it was,
        and only those it changes are locked (`by_ids`)."""
        t = time_entries.c
        rows = (await self._session.execute(select(time_entries).where(
            t.org_id == self._org_id, t.fingerprint.in_(fingerprints)))).all()
        return {row.fingerprint: to_entry(row) for row in rows}

    async def synced_gone(self, source: str, first: date, last: date, keep: list[str]
                          ) -> list[TimeEntry]:
        """The entries synced from `source` dated in [first, last] whose platform id is not in
        `keep` (the platform has them no more), locked in id order. Entries from a file have no
        platform id and are never among them."""
        t = time_entries.c
        # One array parameter: a month's ids can outnumber what a statement may bind.
        rows = (await self._session.execute(
            select(time_entries).where(
                t.org_id == self._org_id, t.source == source, t.external_id.is_not(None),
                t.date_worked.between(first, last),
                t.external_id != all_(bindparam("keep", keep, type_=ARRAY(Text))))
            .order_by(t.id).with_for_update())).all()
        return [to_entry(r) for r in rows]

    async def billable_free(self, project_id: uuid.UUID, start: date, end: date,
                            *, lock: bool = False, ids: list[uuid.UUID] | None = None
                            ) -> list[TimeEntry]:
        """Billable, finished entries of the project in the period on no invoice. With `lock`,
        rows another transaction holds are skipped: they are being put on another invoice."""
        t = time_entries.c
        query = select(time_entries).where(
            t.org_id == self._org_id, t.project_id == project_id, t.billable.is_(True),
            t.is_running.is_(False), t.invoice_id.is_(None),
            t.date_worked >= start, t.date_worked <= end,
        )
        if ids is not None:
            query = query.where(t.id.in_(ids))
        query = query.order_by(t.date_worked, t.id)
        if lock:
            query = query.with_for_update(skip_locked=True)
        return [to_entry(r) for r in (await self._session.execute(query)).all()]

    async def of_invoice(self, invoice_id: uuid.UUID) -> list[TimeEntry]:
        rows = (await self._session.execute(
            select(time_entries).where(time_entries.c.org_id == self._org_id,
                                       time_entries.c.invoice_id == invoice_id)
            .order_by(time_entries.c.date_worked, time_entries.c.id).with_for_update()
        )).all()
        return [to_entry(r) for r in rows]

    # The billing saga's steps, one statement each however many entries an invoice holds.

    async def reserve_for(self, invoice_id: uuid.UUID, entry_ids: list[uuid.UUID]
                          ) -> list[TimeEntry]:
        """The given free entries (locked by the caller) now held by the invoice."""
        t = time_entries.c
        return await self._update_many(
            (t.id.in_(entry_ids), t.invoice_id.is_(None)), invoice_id=invoice_id)

    async def invoice_all(self, invoice_id: uuid.UUID) -> list[TimeEntry]:
        """The invoice's entries not invoiced yet become invoiced and locked."""
        t = time_entries.c
        return await self._update_many(
            (t.invoice_id == invoice_id, t.invoiced.is_(False)),
            invoiced=True, is_locked=True, locked_reason="invoiced")

    async def free_all(self, invoice_id: uuid.UUID) -> list[TimeEntry]:
        """The invoice's entries are on no invoice again; a lock that was the invoice's goes
        (an approved entry stays locked as approved)."""
        t = time_entries.c
        by_invoice = t.locked_reason == "invoiced"
        approved = t.status == "approved"
        return await self._update_many(
            (t.invoice_id == invoice_id,), invoice_id=None, invoiced=False,
            is_locked=case((by_invoice, approved), else_=t.is_locked),
            locked_reason=case((by_invoice, case((approved, "approved"), else_="")),
                               else_=t.locked_reason))

    async def _update_many(self, where: tuple, **values) -> list[TimeEntry]:
        rows = (await self._session.execute(
            update(time_entries).where(time_entries.c.org_id == self._org_id, *where)
            .values(**values, version=time_entries.c.version + 1,
                    updated_at=func.clock_timestamp())
            .returning(*time_entries.c))).all()
        return sorted((to_entry(r) for r in rows), key=lambda e: (e.date_worked, e.id))


def to_expense(row: Row) -> Expense:
    m = row._mapping
    return Expense(**{k: m[k] for k in (
        "id", "org_id", "project_id", "user_id", "description", "amount", "currency",
        "expense_date", "category", "billable", "invoice_id", "version", "created_at",
        "updated_at")})


EXPENSE_FIELDS = ("project_id", "user_id", "description", "amount", "currency", "expense_date",
                  "category", "billable", "invoice_id")


class SqlAlchemyExpenseRepository(OrgScopedRepository):
    async def add(self, expense: Expense) -> Expense:
        row = (await self._session.execute(
            insert(expenses).values(id=expense.id, org_id=expense.org_id,
                                    **{k: getattr(expense, k) for k in EXPENSE_FIELDS})
            .returning(*expenses.c))).one()
        return to_expense(row)

    async def get(self, expense_id: uuid.UUID, *, for_update: bool = False) -> Expense | None:
        query = select(expenses).where(expenses.c.org_id == self._org_id,
                                       expenses.c.id == expense_id)
        row = (await self._session.execute(
            query.with_for_update() if for_update else query)).first()
        return to_expense(row) if row else None

    async def save(self, expense: Expense) -> Expense:
        row = (await self._session.execute(
            update(expenses).where(expenses.c.org_id == self._org_id,
                                   expenses.c.id == expense.id)
            .values(**{k: getattr(expense, k) for k in EXPENSE_FIELDS},
                    version=expenses.c.version + 1, updated_at=func.clock_timestamp())
            .returning(*expenses.c))).one()
        return to_expense(row)

    async def delete(self, expense_id: uuid.UUID) -> None:
        await self._session.execute(delete(expenses).where(
            expenses.c.org_id == self._org_id, expenses.c.id == expense_id))

    async def list(self, project_id: uuid.UUID, after: tuple[date, uuid.UUID] | None,
                   limit: int) -> list[Expense]:
        e = expenses.c
        query = select(expenses).where(e.org_id == self._org_id, e.project_id == project_id)
        if after is not None:
            query = query.where(or_(e.expense_date < after[0],
                                    and_(e.expense_date == after[0], e.id > after[1])))
        query = query.order_by(e.expense_date.desc(), e.id).limit(limit)
        return [to_expense(r) for r in (await self._session.execute(query)).all()]

    async def billable_free(self, project_id: uuid.UUID, start: date, end: date,
                            *, lock: bool = False) -> list[Expense]:
        """Billable expenses of the project dated in the period on no invoice. With `lock`, rows
        another transaction holds are skipped: they are being put on another invoice."""
        e = expenses.c
        query = select(expenses).where(
            e.org_id == self._org_id, e.project_id == project_id, e.billable.is_(True),
            e.invoice_id.is_(None), e.expense_date >= start, e.expense_date <= end,
        ).order_by(e.expense_date, e.id)
        if lock:
            query = query.with_for_update(skip_locked=True)
        return [to_expense(r) for r in (await self._session.execute(query)).all()]

    async def of_invoice(self, invoice_id: uuid.UUID) -> list[Expense]:
        e = expenses.c
        rows = (await self._session.execute(
            select(expenses).where(e.org_id == self._org_id, e.invoice_id == invoice_id)
            .order_by(e.expense_date, e.id).with_for_update()
        )).all()
        return [to_expense(r) for r in rows]
