"""Payments of invoices, in the unit of work's transaction and org."""

from __future__ import annotations

import uuid
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from labs_billing.adapters.orm import payments
from labs_billing.domain.model import Payment, PaymentMethod
from labs_common.db.repository import OrgScopedRepository, columns_of, from_row


class SqlAlchemyPaymentRepository(OrgScopedRepository):
    table = payments

    async def add(self, payment: Payment) -> Payment | None:
        """None when a payment of the same Stripe object is already recorded."""
        statement = insert(payments).values(
            **columns_of(payment, payments, skip=("created_at", "method")), org_id=self._org_id,
            method=payment.method.value, created_at=func.now(),
        ).on_conflict_do_nothing().returning(payments.c.created_at)
        created = (await self._session.execute(statement)).scalar_one_or_none()
        return None if created is None else replace(payment, created_at=created)

    async def of_invoice(self, invoice_id: uuid.UUID) -> list[Payment]:
        query = self._select(payments.c.invoice_id == invoice_id).order_by(
            payments.c.paid_at, payments.c.id)
        return [from_row(Payment, row, method=PaymentMethod(row.method))
                for row in (await self._session.execute(query)).all()]

    async def by_external_id(self, external_id: str) -> Payment | None:
        row = (await self._session.execute(self._select(
            payments.c.external_id == external_id))).first()
        return from_row(Payment, row, method=PaymentMethod(row.method)) if row else None

    async def exists(self, external_id: str) -> bool:
        query = select(payments.c.id).where(payments.c.org_id == self._org_id,
                                            payments.c.external_id == external_id)
        return (await self._session.execute(query)).first() is not None
