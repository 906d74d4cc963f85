"""The Stripe side of issued invoices, done after the request that issued them: sending an
invoice records the intent (`stripe_state = pending` in its own transaction), and this worker
pushes it to Stripe (the client's customer, the items, the finalized invoice), then keeps its
`stripe_invoice_id` and `payment_url`. With Stripe down the invoice is issued all the same and
its Stripe side follows when Stripe answers again; every call carries an idempotency key from our
ids, so a retry never makes a second document. No transaction is open during a call to Stripe."""

from __future__ import annotations

import uuid

import structlog

from labs_billing.adapters.stripe_gateway import (
    StripeGateway,
    StripeRefused,
    StripeUnavailable,
    minor_units,
)
from labs_billing.domain.model import Invoice
from labs_billing.service_layer import events
from labs_billing.service_layer.unit_of_work import UowFactory
from labs_common.db.uow import Scope

log = structlog.get_logger(__name__)

BATCH = 20
LEASE_SECONDS = 120
MAX_ATTEMPTS = 20


def backoff(attempts: int) -> float:
    """2 s, 4 s, 8 s ... up to 10 minutes between tries."""
    return float(min(2 ** (attempts + 1), 600))


class StripeSync:
    def __init__(self, uow: UowFactory, gateway: StripeGateway) -> None:
        self._uow = uow
        self._stripe = gateway

    async def run_once(self) -> int:
        async with self._uow(Scope.of_system()) as uow:
            due = await uow.invoices.claim_stripe(BATCH, LEASE_SECONDS)
            await uow.commit()
        for invoice, state in due:
            await self._one(invoice, state)
        return len(due)

    async def subscriptions_once(self) -> int:
        """Pushes the organizations' plan changes to Stripe Billing."""
        async with self._uow(Scope.of_system()) as uow:
            pending = await uow.subscriptions.pending(BATCH)
        for wanted in pending:
            try:
                customer = wanted.stripe_customer_id or await self._stripe.ensure_org_customer(
                    org_id=str(wanted.org_id), name=f"Labs organization {wanted.org_id}")
                done = await self._stripe.change_subscription(
                    customer_id=customer, subscription_id=wanted.stripe_subscription_id,
                    plan=wanted.plan.value, org_id=str(wanted.org_id))
            except (StripeUnavailable, StripeRefused) as error:
                log.warning("stripe.subscription_deferred", org_id=str(wanted.org_id),
                            error=str(error))
                continue
            async with self._uow(Scope(org_id=wanted.org_id)) as uow:
                current = await uow.subscriptions.get(lock=True)
                current.stripe_customer_id, current.stripe_subscription_id = customer, done.id
                if current.plan != wanted.plan:
                    # Changed again while Stripe was asked: what Stripe confirmed is not what is
                    # wanted now, so it stays pending and the next sweep pushes the new plan.
                    await uow.subscriptions.put(current)
                    await uow.commit()
                    continue
                current.status = done.status
                if done.current_period_end is not None:
                    current.renewal_date = done.current_period_end.date()
                await events.subscription_changed(uow, await uow.subscriptions.put(current))
                await uow.commit()
        return 0

    async def _one(self, invoice: Invoice, state: str) -> None:
        scope = Scope(org_id=invoice.org_id)
        try:
            if state == "void_pending":
                if invoice.stripe_invoice_id:
                    await self._stripe.void_invoice(invoice.stripe_invoice_id)
                async with self._uow(scope) as uow:
                    await uow.invoices.stripe_done(invoice.id, invoice.stripe_invoice_id or "",
                                                   invoice.payment_url)
                    await uow.commit()
                return
            customer = await self._customer(invoice, scope)
            pushed = await self._stripe.push_invoice(
                customer_id=customer, invoice_id=str(invoice.id), org_id=str(invoice.org_id),
                number=invoice.number or "", currency=invoice.currency,
                items=[(item.description, minor_units(item.amount, invoice.currency))
                       for item in invoice.items],
                due_date=invoice.due_date,
                tax_minor=minor_units(invoice.tax_amount, invoice.currency))
            async with self._uow(scope) as uow:
                synced = await uow.invoices.stripe_done(invoice.id, pushed.id,
                                                        pushed.hosted_invoice_url)
                await events.changed(uow, synced, "stripe_synced")
                await uow.commit()
            log.info("stripe.invoice_pushed", invoice_id=str(invoice.id), stripe_id=pushed.id)
        except (StripeUnavailable, StripeRefused) as error:
            attempts = await self._attempts(invoice.id)
            give_up = isinstance(error, StripeRefused) or attempts + 1 >= MAX_ATTEMPTS
            log.warning("stripe.invoice_deferred", invoice_id=str(invoice.id),
                        error=str(error), give_up=give_up)
            async with self._uow(Scope.of_system()) as uow:
                await uow.invoices.stripe_retry(invoice.id, str(error), backoff(attempts),
                                                give_up=give_up)
                await uow.commit()

    async def _customer(self, invoice: Invoice, scope: Scope) -> str:
        async with self._uow(scope) as uow:
            known = await uow.subscriptions.customer(invoice.client_id)
        if known:
            return known
        customer = await self._stripe.ensure_customer(
            org_id=str(invoice.org_id), client_id=str(invoice.client_id or ""),
            name=invoice.client_name or "Client")
        async with self._uow(scope) as uow:
            await uow.subscriptions.keep_customer(invoice.client_id, customer)
            await uow.commit()
        return customer

    async def _attempts(self, invoice_id: uuid.UUID) -> int:
        async with self._uow(Scope.of_system()) as uow:
            return await uow.invoices.stripe_attempts(invoice_id)
