"""Billing's handlers against fakes: invoices, payments and the plan in memory, with the same
rules as the SQL repositories where handlers rely on them (the counter, saga states)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

from labs_billing.adapters.invoices_repository import ABANDONED, GENERATING
from labs_billing.domain.model import Invoice, Payment, Status, Subscription
from labs_common.testing.fakes import FakeUnitOfWork


def _now() -> datetime:
    return datetime.now(UTC)


class FakeInvoices:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Invoice] = {}
        self.saga: dict[uuid.UUID, str] = {}
        self.last_number = 0
        self.stripe: dict[uuid.UUID, str] = {}

    async def get(self, invoice_id, *, lock=False):
        if self.saga.get(invoice_id) in (GENERATING, ABANDONED):
            return None
        found = self.rows.get(invoice_id)
        return None if found is None else replace(found, items=list(found.items))

    async def add(self, invoice):
        invoice = replace(invoice, created_at=_now(), updated_at=_now())
        self.rows[invoice.id] = invoice
        return replace(invoice)

    async def save(self, invoice):
        invoice = replace(invoice, updated_at=_now())
        self.rows[invoice.id] = invoice
        self.saga.pop(invoice.id, None)
        return replace(invoice, items=list(invoice.items))

    async def delete(self, invoice_id):
        self.rows.pop(invoice_id)

    async def page(self, *, after, limit, status=None, project_id=None, client_id=None,
                   date_from=None, date_to=None, issued_only=False):
        found = [i for i in self.rows.values() if self.saga.get(i.id) is None
                 and (not issued_only or i.status is not Status.DRAFT)
                 and (client_id is None or i.client_id == client_id)
                 and (status is None or i.status is status)]
        return found[: limit + 1]

    async def next_number(self):
        self.last_number += 1
        return self.last_number

    async def want_stripe(self, invoice_id, state):
        self.stripe[invoice_id] = state

    async def begin_generation(self, invoice, lease_seconds):
        if invoice.id in self.rows:
            return self.saga.get(invoice.id, invoice.status.value)
        self.rows[invoice.id] = replace(invoice, created_at=_now(), updated_at=_now())
        self.saga[invoice.id] = GENERATING
        return None

    async def generation_status(self, invoice_id):
        if invoice_id not in self.rows:
            return None
        return self.saga.get(invoice_id, self.rows[invoice_id].status.value)

    async def generation(self, invoice_id):
        return replace(self.rows[invoice_id])

    async def abandon(self, invoice_id):
        if self.saga.get(invoice_id) != GENERATING:
            return False
        self.saga[invoice_id] = ABANDONED
        return True

    async def saga_status(self, invoice_id):
        return await self.generation_status(invoice_id)


class FakePayments:
    def __init__(self) -> None:
        self.rows: list[Payment] = []

    async def add(self, payment):
        if payment.external_id and any(p.external_id == payment.external_id
                                       for p in self.rows):
            return None
        payment = replace(payment, created_at=_now())
        self.rows.append(payment)
        return payment

    async def of_invoice(self, invoice_id):
        return [p for p in self.rows if p.invoice_id == invoice_id]

    async def by_external_id(self, external_id):
        return next((p for p in self.rows if p.external_id == external_id), None)

    async def exists(self, external_id):
        return any(p.external_id == external_id for p in self.rows)


class FakeSubscriptions:
    def __init__(self, org_id) -> None:
        self.current = Subscription(org_id=org_id)

    async def get(self, *, lock=False):
        return replace(self.current)

    async def put(self, subscription):
        self.current = replace(subscription, updated_at=_now())
        return replace(self.current)


class FakeBillingUnitOfWork(FakeUnitOfWork):
    def _start(self) -> None:
        self.invoices = FakeInvoices()
        self.payments = FakePayments()
        self.subscriptions = FakeSubscriptions(self.scope.org_id)

    def as_caller(self, caller) -> FakeBillingUnitOfWork:
        """Another caller on the same data (a client reading what a manager issued)."""
        other = FakeBillingUnitOfWork(caller=caller)
        other.invoices, other.payments = self.invoices, self.payments
        other.outbox = self.outbox
        return other
