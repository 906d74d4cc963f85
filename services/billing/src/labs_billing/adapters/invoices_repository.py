"""Invoices with their items, in the unit of work's transaction and org.

Rows of a generation in flight (`generating`) or given up (`abandoned`) are the saga's own and
never read as invoices (service_layer/generation.py)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, and_, delete, func, not_, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert

from labs_billing.adapters.orm import invoice_counters, invoice_items, invoices
from labs_billing.domain.model import Invoice, Item, ItemKind, Status
from labs_common.db.repository import OrgScopedRepository, columns_of, from_row

GENERATING, ABANDONED = "generating", "abandoned"
SAGA_STATES = (GENERATING, ABANDONED)
OPEN = (Status.SENT.value, Status.PARTIALLY_PAID.value)


def _today_there():
    """Today in the zone the invoice was issued in."""
    return func.date(func.timezone(invoices.c.timezone, func.now()))


def _overdue():
    return and_(invoices.c.status.in_(OPEN), invoices.c.due_date < _today_there(),
                invoices.c.amount_paid < invoices.c.total)


class SqlAlchemyInvoiceRepository(OrgScopedRepository):
    table = invoices

    async def get(self, invoice_id: uuid.UUID, *, lock: bool = False) -> Invoice | None:
        query = self._select(invoices.c.id == invoice_id, invoices.c.status.not_in(SAGA_STATES))
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return None if row is None else (await self._with_items([row]))[0]

    async def add(self, invoice: Invoice) -> Invoice:
        await self._session.execute(insert(invoices).values(**self._columns(invoice)))
        await self._write_items(invoice)
        return await self._reread(invoice.id)

    async def save(self, invoice: Invoice) -> Invoice:
        await self._update(invoice.id, **self._columns(
            invoice, skip=("id", "org_id", "created_at", "updated_at")))
        await self._session.execute(delete(invoice_items).where(
            invoice_items.c.org_id == self._org_id, invoice_items.c.invoice_id == invoice.id))
        await self._write_items(invoice)
        return await self._reread(invoice.id)

    async def delete(self, invoice_id: uuid.UUID) -> None:
        await self._session.execute(delete(invoices).where(self._by_id(invoice_id)))

    async def page(self, *, after: tuple[datetime, uuid.UUID] | None, limit: int,
                   status: Status | None = None, project_id: uuid.UUID | None = None,
                   client_id: uuid.UUID | None = None, date_from: date | None = None,
                   date_to: date | None = None, issued_only: bool = False) -> list[Invoice]:
        """Newest first."""
        query = self._select(invoices.c.status.not_in(SAGA_STATES))
        if issued_only:
            query = query.where(invoices.c.status != Status.DRAFT.value)
        if status is Status.OVERDUE:
            query = query.where(_overdue())
        elif status in (Status.SENT, Status.PARTIALLY_PAID):
            query = query.where(invoices.c.status == status.value, not_(_overdue()))
        elif status is not None:
            query = query.where(invoices.c.status == status.value)
        if project_id is not None:
            query = query.where(invoices.c.project_id == project_id)
        if client_id is not None:
            query = query.where(invoices.c.client_id == client_id)
        day = func.coalesce(invoices.c.issue_date, func.date(invoices.c.created_at))
        if date_from is not None:
            query = query.where(day >= date_from)
        if date_to is not None:
            query = query.where(day <= date_to)
        if after:
            query = query.where(or_(invoices.c.created_at < after[0], and_(
                invoices.c.created_at == after[0], invoices.c.id < after[1])))
        query = query.order_by(invoices.c.created_at.desc(), invoices.c.id.desc()).limit(limit + 1)
        return await self._with_items((await self._session.execute(query)).all())

    async def next_number(self) -> int:
        """The organization's next invoice number. The counter row stays locked until the
        transaction ends: concurrent sends queue here, in issue order, and a rollback returns
        the number (no gap)."""
        statement = insert(invoice_counters).values(org_id=self._org_id, last_number=1)
        statement = statement.on_conflict_do_update(
            index_elements=[invoice_counters.c.org_id],
            set_={"last_number": invoice_counters.c.last_number + 1},
        ).returning(invoice_counters.c.last_number)
        return (await self._session.execute(statement)).scalar_one()

    # The generation saga's own rows.

    async def begin_generation(self, invoice: Invoice, lease_seconds: float) -> str | None:
        """Records the intent to generate `invoice` (leased for `lease_seconds`); None when it
        is new, else the status the id already has (a retry of the same request)."""
        values = self._columns(invoice) | {
            "status": GENERATING,
            "lease_until": func.now() + text(f"interval '{float(lease_seconds)} seconds'"),
        }
        inserted = (await self._session.execute(
            insert(invoices).values(**values).on_conflict_do_nothing().returning(invoices.c.id)
        )).first()
        if inserted is not None:
            return None
        row = (await self._session.execute(
            select(invoices.c.status).where(self._by_id(invoice.id)))).first()
        return None if row is None else row.status

    async def generation_status(self, invoice_id: uuid.UUID) -> str | None:
        """The status of the row, locked (the saga's step and recovery exclude each other)."""
        row = (await self._session.execute(
            select(invoices.c.status).where(self._by_id(invoice_id)).with_for_update())).first()
        return None if row is None else row.status

    async def generation(self, invoice_id: uuid.UUID) -> Invoice:
        row = (await self._session.execute(self._select(invoices.c.id == invoice_id))).one()
        return (await self._with_items([row]))[0]

    async def abandon(self, invoice_id: uuid.UUID) -> bool:
        """Gives up a generation in flight (tenant or system scope); False if it was not."""
        done = await self._session.execute(
            update(invoices).where(invoices.c.id == invoice_id, invoices.c.status == GENERATING)
            .values(status=ABANDONED, lease_until=None, updated_at=func.clock_timestamp()))
        return done.rowcount == 1

    async def overdue_unraised(self, limit: int) -> list[Invoice]:
        """Overdue invoices whose alert has not been raised yet (system scope: every org)."""
        query = (select(invoices).where(_overdue(), invoices.c.overdue_raised_at.is_(None))
                 .order_by(invoices.c.due_date).limit(limit).with_for_update(skip_locked=True))
        return await self._with_items((await self._session.execute(query)).all())

    async def mark_overdue_raised(self, invoice_id: uuid.UUID) -> None:
        await self._session.execute(update(invoices).where(invoices.c.id == invoice_id)
                                    .values(overdue_raised_at=func.now()))

    async def expired_generations(self, limit: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """(org, invoice) of generations whose lease ran out (system scope: every org)."""
        query = (select(invoices.c.org_id, invoices.c.id)
                 .where(invoices.c.status == GENERATING, invoices.c.lease_until < func.now())
                 .limit(limit).with_for_update(skip_locked=True))
        return [(row.org_id, row.id) for row in (await self._session.execute(query)).all()]

    async def saga_status(self, invoice_id: uuid.UUID) -> str | None:
        """Any row's status, saga states included (system or tenant scope)."""
        row = (await self._session.execute(
            select(invoices.c.status).where(invoices.c.id == invoice_id))).first()
        return None if row is None else row.status

    # The Stripe side (service_layer/stripe_sync.py): an intent row per invoice, claimed with a
    # lease by one worker at a time, retried with backoff.

    async def want_stripe(self, invoice_id: uuid.UUID, state: str) -> None:
        await self._session.execute(update(invoices).where(self._by_id(invoice_id)).values(
            stripe_state=state, stripe_attempts=0, stripe_error=None, stripe_next_at=func.now()))

    async def claim_stripe(self, limit: int, lease_seconds: float) -> list[tuple[Invoice, str]]:
        """Invoices whose Stripe side is due (system scope: every org), leased to this worker."""
        query = (select(invoices).where(invoices.c.stripe_state.in_(("pending", "void_pending")),
                                        invoices.c.stripe_next_at <= func.now())
                 .order_by(invoices.c.stripe_next_at).limit(limit)
                 .with_for_update(skip_locked=True))
        rows = (await self._session.execute(query)).all()
        if rows:
            await self._session.execute(update(invoices).where(
                invoices.c.id.in_([r.id for r in rows])).values(
                stripe_next_at=func.now() + text(f"interval '{float(lease_seconds)} seconds'")))
        found = await self._with_items(rows)
        return [(invoice, row.stripe_state) for invoice, row in zip(found, rows, strict=True)]

    async def stripe_done(self, invoice_id: uuid.UUID, stripe_invoice_id: str,
                          payment_url: str | None) -> Invoice:
        await self._update(invoice_id, stripe_state="synced", stripe_error=None,
                           stripe_invoice_id=stripe_invoice_id, payment_url=payment_url)
        return await self._reread(invoice_id)

    async def stripe_retry(self, invoice_id: uuid.UUID, error: str, delay_seconds: float,
                           *, give_up: bool = False) -> None:
        await self._session.execute(update(invoices).where(invoices.c.id == invoice_id).values(
            stripe_attempts=invoices.c.stripe_attempts + 1, stripe_error=error[:500],
            stripe_state="failed" if give_up else invoices.c.stripe_state,
            stripe_next_at=func.now() + text(f"interval '{float(delay_seconds)} seconds'")))

    async def stripe_attempts(self, invoice_id: uuid.UUID) -> int:
        return (await self._session.execute(select(invoices.c.stripe_attempts).where(
            invoices.c.id == invoice_id))).scalar_one()

    async def by_stripe_id(self, stripe_invoice_id: str, *, lock: bool = False
                           ) -> Invoice | None:
        query = self._select(invoices.c.stripe_invoice_id == stripe_invoice_id)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return None if row is None else (await self._with_items([row]))[0]

    def _columns(self, invoice: Invoice, skip: tuple[str, ...] = ("created_at", "updated_at")
                 ) -> dict[str, Any]:
        values = columns_of(invoice, invoices, skip=skip)
        values.update(status=invoice.status.value, subtotal=invoice.subtotal,
                      tax_amount=invoice.tax_amount, total=invoice.total)
        return values

    async def _write_items(self, invoice: Invoice) -> None:
        if not invoice.items:
            return
        await self._session.execute(insert(invoice_items), [
            {"id": item.id, "org_id": invoice.org_id, "invoice_id": invoice.id, "position": n,
             "kind": item.kind.value, "description": item.description,
             "quantity": item.quantity, "unit_price": item.unit_price, "amount": item.amount,
             "time_entry_ids": list(item.time_entry_ids), "expense_ids": list(item.expense_ids)}
            for n, item in enumerate(invoice.items)
        ])

    async def _reread(self, invoice_id: uuid.UUID) -> Invoice:
        row = (await self._session.execute(self._select(invoices.c.id == invoice_id))).one()
        return (await self._with_items([row]))[0]

    async def _with_items(self, rows: list[Row]) -> list[Invoice]:
        if not rows:
            return []
        ids = [row.id for row in rows]
        found = await self._session.execute(
            select(invoice_items).where(invoice_items.c.invoice_id.in_(ids))
            .order_by(invoice_items.c.invoice_id, invoice_items.c.position))
        items: dict[uuid.UUID, list[Item]] = defaultdict(list)
        for item in found.all():
            items[item.invoice_id].append(Item(
                id=item.id, kind=ItemKind(item.kind), description=item.description,
                quantity=item.quantity, unit_price=item.unit_price,
                time_entry_ids=tuple(item.time_entry_ids), expense_ids=tuple(item.expense_ids)))
        return [_invoice(row, items[row.id]) for row in rows]


def _invoice(row: Row, items: list[Item]) -> Invoice:
    status = Status.DRAFT if row.status in SAGA_STATES else Status(row.status)
    return from_row(Invoice, row, status=status, items=items)
