"""QuickBooks' repositories, each bound to the scope's org (the push claim reads every org's, in a
system scope): the push outbox, each company's state (item, payments cursor, refresh lease), the
links of Labs clients and invoices to QuickBooks' customers and invoices, and the payment lines
read from QuickBooks on their way to billing."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert

from labs_common.db.repository import from_row
from labs_integrations.adapters.quickbooks_tables import (
    quickbooks_companies,
    quickbooks_customers,
    quickbooks_invoices,
    quickbooks_payments,
    quickbooks_pushes,
)
from labs_integrations.domain.quickbooks import (
    DONE,
    FAILED,
    INVOICE,
    PENDING,
    RECORDED,
    UNMATCHED,
    WAITING,
    CompanyState,
    InvoicePush,
    PaymentLine,
)


class _Repository:
    def __init__(self, session, org_id: uuid.UUID | None = None) -> None:
        self._session = session
        self._org_id = org_id


class SqlAlchemyQuickBooksPushes(_Repository):
    table = quickbooks_pushes

    async def want(self, invoice_id: uuid.UUID, kind: str, invoice: dict, give_up_at: datetime
                   ) -> bool:
        """Queues the push; False when this invoice's push of this kind is queued already (the
        event heard again)."""
        statement = insert(quickbooks_pushes).values(
            id=uuid.uuid4(), org_id=self._org_id, invoice_id=invoice_id, kind=kind,
            invoice=invoice, status=PENDING, give_up_at=give_up_at,
        ).on_conflict_do_nothing(constraint="quickbooks_pushes_once")
        result = await self._session.execute(statement.returning(quickbooks_pushes.c.id))
        return result.first() is not None

    async def claim_due(self, limit: int, lease: timedelta) -> list[InvoicePush]:
        """Due pushes of every org (a system scope), leased to this replica: one that dies
        mid-push leaves them to the next after the lease."""
        due = (select(quickbooks_pushes.c.id)
               .where(quickbooks_pushes.c.status == PENDING,
                      quickbooks_pushes.c.next_attempt_at <= func.now())
               .order_by(quickbooks_pushes.c.next_attempt_at).limit(limit)
               .with_for_update(skip_locked=True)).scalar_subquery()
        rows = (await self._session.execute(
            update(quickbooks_pushes).where(quickbooks_pushes.c.id.in_(due))
            .values(attempts=quickbooks_pushes.c.attempts + 1,
                    next_attempt_at=func.now() + lease)
            .returning(*quickbooks_pushes.c))).all()
        return [from_row(InvoicePush, row) for row in rows]

    def _own(self, push_id: uuid.UUID):
        return and_(quickbooks_pushes.c.org_id == self._org_id, quickbooks_pushes.c.id == push_id)

    async def finished(self, push_id: uuid.UUID, quickbooks_id: str | None = None) -> None:
        await self._session.execute(update(quickbooks_pushes).where(self._own(push_id)).values(
            status=DONE, quickbooks_id=quickbooks_id, last_error=None, finished_at=func.now()))

    async def retry(self, push_id: uuid.UUID, error: str | None, at: datetime) -> None:
        """Due again at `at`; `error` None (or empty): a wait, not a failure."""
        await self._session.execute(update(quickbooks_pushes).where(self._own(push_id)).values(
            last_error=error[:2000] if error else None, next_attempt_at=at))

    async def failed(self, push_id: uuid.UUID, error: str) -> None:
        await self._session.execute(update(quickbooks_pushes).where(self._own(push_id)).values(
            status=FAILED, last_error=error[:2000], finished_at=func.now()))

    async def issue_pending(self, invoice_id: uuid.UUID) -> bool:
        """True while the invoice's own push (its creation in QuickBooks) is still to be done."""
        row = (await self._session.execute(select(quickbooks_pushes.c.id).where(
            quickbooks_pushes.c.org_id == self._org_id,
            quickbooks_pushes.c.invoice_id == invoice_id, quickbooks_pushes.c.kind == INVOICE,
            quickbooks_pushes.c.status == PENDING))).first()
        return row is not None

    async def failing(self, limit: int = 20) -> list[InvoicePush]:
        """Pushes given up, or waiting for a retry after an error, oldest first."""
        rows = (await self._session.execute(select(quickbooks_pushes).where(
            quickbooks_pushes.c.org_id == self._org_id,
            or_(quickbooks_pushes.c.status == FAILED,
                and_(quickbooks_pushes.c.status == PENDING,
                     quickbooks_pushes.c.last_error.is_not(None))))
            .order_by(quickbooks_pushes.c.created_at).limit(limit))).all()
        return [from_row(InvoicePush, row) for row in rows]

    async def retry_now(self, give_up_at: datetime) -> int:
        """Every push given up or waiting after an error is due now, with days to go again (a
        manual sync is the retry); answers how many."""
        result = await self._session.execute(update(quickbooks_pushes).where(
            quickbooks_pushes.c.org_id == self._org_id,
            or_(quickbooks_pushes.c.status == FAILED,
                and_(quickbooks_pushes.c.status == PENDING,
                     quickbooks_pushes.c.last_error.is_not(None))))
            .values(status=PENDING, attempts=0, next_attempt_at=func.now(),
                    give_up_at=give_up_at, finished_at=None))
        return result.rowcount or 0

    async def of_invoice(self, invoice_id: uuid.UUID) -> list[InvoicePush]:
        rows = (await self._session.execute(select(quickbooks_pushes).where(
            quickbooks_pushes.c.org_id == self._org_id,
            quickbooks_pushes.c.invoice_id == invoice_id)
            .order_by(quickbooks_pushes.c.created_at))).all()
        return [from_row(InvoicePush, row) for row in rows]


class SqlAlchemyQuickBooksCompanies(_Repository):
    def _row(self, realm_id: str):
        return and_(quickbooks_companies.c.org_id == self._org_id,
                    quickbooks_companies.c.realm_id == realm_id)

    async def get(self, realm_id: str) -> CompanyState:
        row = (await self._session.execute(
            select(quickbooks_companies).where(self._row(realm_id)))).first()
        if row is None:
            return CompanyState(realm_id)
        return CompanyState(realm_id, row.item_id, row.payments_since)

    async def _upsert(self, realm_id: str, **values) -> None:
        statement = insert(quickbooks_companies).values(org_id=self._org_id, realm_id=realm_id,
                                                        **values)
        await self._session.execute(statement.on_conflict_do_update(
            index_elements=["org_id", "realm_id"], set_=values))

    async def keep_item(self, realm_id: str, item_id: str) -> None:
        await self._upsert(realm_id, item_id=item_id)

    async def read_up_to(self, realm_id: str, since: datetime) -> None:
        await self._upsert(realm_id, payments_since=since)

    async def claim_refresh(self, realm_id: str, holder: uuid.UUID, until: datetime,
                            now: datetime) -> bool:
        """Takes the refresh lease, unless another worker holds one that has not run out."""
        statement = insert(quickbooks_companies).values(
            org_id=self._org_id, realm_id=realm_id, refresh_holder=holder, refresh_until=until)
        statement = statement.on_conflict_do_update(
            index_elements=["org_id", "realm_id"],
            set_={"refresh_holder": holder, "refresh_until": until},
            where=or_(quickbooks_companies.c.refresh_until.is_(None),
                      quickbooks_companies.c.refresh_until < now))
        result = await self._session.execute(
            statement.returning(quickbooks_companies.c.refresh_holder))
        return result.first() is not None

    async def release_refresh(self, realm_id: str, holder: uuid.UUID) -> None:
        await self._session.execute(update(quickbooks_companies).where(
            self._row(realm_id), quickbooks_companies.c.refresh_holder == holder)
            .values(refresh_holder=None, refresh_until=None))


class SqlAlchemyQuickBooksLinks(_Repository):
    async def customer(self, realm_id: str, client_key: str) -> str | None:
        return (await self._session.execute(select(quickbooks_customers.c.customer_id).where(
            quickbooks_customers.c.org_id == self._org_id,
            quickbooks_customers.c.realm_id == realm_id,
            quickbooks_customers.c.client_key == client_key))).scalar_one_or_none()

    async def keep_customer(self, realm_id: str, client_key: str, customer_id: str) -> None:
        statement = insert(quickbooks_customers).values(
            org_id=self._org_id, realm_id=realm_id, client_key=client_key,
            customer_id=customer_id)
        await self._session.execute(statement.on_conflict_do_update(
            index_elements=["org_id", "realm_id", "client_key"],
            set_={"customer_id": customer_id}))

    async def invoice(self, realm_id: str, invoice_id: uuid.UUID) -> str | None:
        """The QuickBooks id of the Labs invoice in this company, if it was pushed."""
        return (await self._session.execute(select(quickbooks_invoices.c.quickbooks_id).where(
            quickbooks_invoices.c.org_id == self._org_id,
            quickbooks_invoices.c.realm_id == realm_id,
            quickbooks_invoices.c.invoice_id == invoice_id))).scalar_one_or_none()

    async def keep_invoice(self, realm_id: str, invoice_id: uuid.UUID, quickbooks_id: str,
                           doc_number: str) -> None:
        statement = insert(quickbooks_invoices).values(
            org_id=self._org_id, realm_id=realm_id, invoice_id=invoice_id,
            quickbooks_id=quickbooks_id, doc_number=doc_number)
        await self._session.execute(statement.on_conflict_do_nothing())

    async def labs_invoices(self, realm_id: str, quickbooks_ids: Iterable[str]
                            ) -> dict[str, uuid.UUID]:
        """QuickBooks invoice id → the Labs invoice it was pushed from."""
        wanted = list(set(quickbooks_ids))
        if not wanted:
            return {}
        rows = (await self._session.execute(select(
            quickbooks_invoices.c.quickbooks_id, quickbooks_invoices.c.invoice_id).where(
            quickbooks_invoices.c.org_id == self._org_id,
            quickbooks_invoices.c.realm_id == realm_id,
            quickbooks_invoices.c.quickbooks_id.in_(wanted)))).all()
        return {row.quickbooks_id: row.invoice_id for row in rows}


class SqlAlchemyQuickBooksPayments(_Repository):
    async def keep(self, realm_id: str, lines: Iterable[PaymentLine]) -> int:
        """Stores lines not seen before (waiting); answers how many were new."""
        values = [{"org_id": self._org_id, "external_id": line.external_id(realm_id),
                   "realm_id": realm_id, "payment_id": line.payment_id,
                   "quickbooks_invoice_id": line.quickbooks_invoice_id, "amount": line.amount,
                   "paid_on": line.paid_on, "status": WAITING} for line in lines]
        if not values:
            return 0
        result = await self._session.execute(insert(quickbooks_payments).values(values)
                                             .on_conflict_do_nothing()
                                             .returning(quickbooks_payments.c.external_id))
        return len(result.all())

    async def open(self, realm_id: str, limit: int, unmatched_since: datetime
                   ) -> list[PaymentLine]:
        """Lines not yet recorded in Labs: waiting ones first (new), then those billing refused
        and those on an invoice Labs did not know when they were read (seen after
        `unmatched_since`: one that long unknown is someone else's), oldest first."""
        status = quickbooks_payments.c.status
        rows = (await self._session.execute(select(quickbooks_payments).where(
            quickbooks_payments.c.org_id == self._org_id,
            quickbooks_payments.c.realm_id == realm_id, status != RECORDED,
            or_(status != UNMATCHED, quickbooks_payments.c.seen_at >= unmatched_since))
            .order_by((status == WAITING).desc(), quickbooks_payments.c.seen_at,
                      quickbooks_payments.c.external_id)
            .limit(limit))).all()
        return [PaymentLine(row.payment_id, row.quickbooks_invoice_id, row.amount, row.paid_on)
                for row in rows]

    async def settle(self, realm_id: str, line: PaymentLine, status: str,
                     error: str | None = None, labs_payment_id: uuid.UUID | None = None
                     ) -> None:
        await self._session.execute(update(quickbooks_payments).where(
            quickbooks_payments.c.org_id == self._org_id,
            quickbooks_payments.c.external_id == line.external_id(realm_id)).values(
            status=status, last_error=error[:2000] if error else None,
            labs_payment_id=labs_payment_id,
            recorded_at=func.now() if status == RECORDED else None))
