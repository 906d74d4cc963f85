"""Stripe's webhooks: verified and stored by event id before the 200 (`receive`), applied after
it by a worker (`apply_due`), so the answer never waits on our database work and a redelivered
event changes nothing.

Events can arrive in any order and more than once, so an invoice event is never trusted as it
says: the Stripe invoice is read again and what Stripe says now is applied (paid → one payment of
what is due, `method: stripe`, keyed by the Stripe invoice's id; void → void)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import structlog

from labs_billing.adapters.stripe_gateway import (
    BadSignature,
    StripeGateway,
    StripeUnavailable,
    verify_event,
)
from labs_billing.domain.model import ISSUED, Payment, PaymentMethod, Plan
from labs_billing.service_layer import events
from labs_billing.service_layer.payments import apply_payment
from labs_billing.service_layer.unit_of_work import BillingUnitOfWork, UowFactory
from labs_common.db.uow import Scope
from labs_common.errors import InvalidArgument, LabsError

log = structlog.get_logger(__name__)

BATCH = 50
LEASE_SECONDS = 60
INVOICE_EVENTS = {"invoice.paid", "invoice.payment_succeeded", "invoice.voided",
                  "invoice.marked_uncollectible", "invoice.updated"}
SUBSCRIPTION_EVENTS = {"customer.subscription.created", "customer.subscription.updated",
                       "customer.subscription.deleted"}


class StripeInbox:
    def __init__(self, uow: UowFactory, secret: str, gateway: StripeGateway | None,
                 wake=lambda: None) -> None:
        self._uow = uow
        self._secret = secret
        self._stripe = gateway
        self.wake = wake

    async def receive(self, payload: bytes, signature: str) -> tuple[str, bool]:
        try:
            event = verify_event(payload, signature, self._secret)
        except BadSignature as error:
            raise InvalidArgument.on("Stripe-Signature", str(error)) from None
        if not isinstance(event.get("id"), str) or not event["id"]:
            raise InvalidArgument.on("body", "a Stripe event has an id")
        async with self._uow(Scope.of_system()) as uow:
            accepted = await uow.stripe_events.keep(event)
            await uow.commit()
        if accepted:
            self.wake()
        return event["id"], accepted

    async def apply_due(self) -> int:
        async with self._uow(Scope.of_system()) as uow:
            due = await uow.stripe_events.due(BATCH, LEASE_SECONDS)
            await uow.commit()
        for event in due:
            try:
                await self._apply(event)
            except (StripeUnavailable, LabsError) as error:
                log.warning("stripe.event_deferred", event_id=event["id"], error=str(error))
                async with self._uow(Scope.of_system()) as uow:
                    await uow.stripe_events.failed(event["id"], str(error), 30)
                    await uow.commit()
                continue
            async with self._uow(Scope.of_system()) as uow:
                await uow.stripe_events.applied(event["id"])
                await uow.commit()
        return len(due)

    async def _apply(self, event: dict[str, Any]) -> None:
        kind = event.get("type", "")
        obj = (event.get("data") or {}).get("object") or {}
        if kind in INVOICE_EVENTS:
            await self._invoice(obj.get("id", ""), obj)
        elif kind == "payment_intent.succeeded" and obj.get("invoice"):
            await self._invoice(obj["invoice"], {})
        elif kind in SUBSCRIPTION_EVENTS:
            await self._subscription(obj, deleted=kind.endswith(".deleted"))

    async def _invoice(self, stripe_id: str, obj: dict[str, Any]) -> None:
        metadata = obj.get("metadata") or {}
        if self._stripe is not None and stripe_id:
            current = await self._stripe.retrieve_invoice(stripe_id)
            status, metadata = current.status, current.metadata or metadata
        else:
            status = obj.get("status", "")
        org, ours = _uuid(metadata.get("org_id")), _uuid(metadata.get("invoice_id"))
        if org is None or ours is None:
            return  # not one of ours
        async with self._uow(Scope(org_id=org)) as uow:
            invoice = await uow.invoices.get(ours, lock=True)
            if invoice is None:
                return
            if status == "paid" and invoice.status in ISSUED and invoice.amount_due > 0:
                if not await uow.payments.exists(stripe_id):
                    payment = Payment(id=uuid.uuid4(), invoice_id=invoice.id,
                                      amount=invoice.amount_due, currency=invoice.currency,
                                      paid_at=datetime.now(UTC), method=PaymentMethod.STRIPE,
                                      reference=stripe_id, external_id=stripe_id)
                    await apply_payment(uow, invoice, payment)
            elif status == "void" and invoice.status in ISSUED and invoice.amount_paid == 0:
                invoice.void(datetime.now(UTC))
                saved = await uow.invoices.save(invoice)
                await events.changed(uow, saved, "voided")
            await uow.commit()

    async def _subscription(self, obj: dict[str, Any], *, deleted: bool) -> None:
        org = _uuid((obj.get("metadata") or {}).get("org_id"))
        if org is None:
            return
        async with self._uow(Scope(org_id=org)) as uow:
            await apply_subscription(uow, obj, deleted=deleted)
            await uow.commit()


async def apply_subscription(uow: BillingUnitOfWork, obj: dict[str, Any], *, deleted: bool
                             ) -> None:
    current = await uow.subscriptions.get(lock=True)
    plan = _plan_of(obj)
    if deleted:
        current.plan, current.status = Plan.FREE, "canceled"
    else:
        current.status = obj.get("status") or current.status
        current.plan = plan or current.plan
    end = obj.get("current_period_end") or _first_item(obj).get("current_period_end")
    current.renewal_date = (datetime.fromtimestamp(end, UTC).date() if isinstance(end, int)
                            else current.renewal_date)
    current.stripe_subscription_id = obj.get("id") or current.stripe_subscription_id
    await events.subscription_changed(uow, await uow.subscriptions.put(current))


def _first_item(obj: dict[str, Any]) -> dict[str, Any]:
    data = (obj.get("items") or {}).get("data") or []
    return data[0] if data else {}


def _plan_of(obj: dict[str, Any]) -> Plan | None:
    key = ((_first_item(obj).get("price") or {}).get("lookup_key") or "")
    name = key.removeprefix("labs_")
    return Plan(name) if name in Plan._value2member_map_ else None


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None



