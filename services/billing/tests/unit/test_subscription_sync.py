"""The plan's Stripe side against fakes: a plan changed again while Stripe was being asked for
the previous one stays pending, so the next sweep pushes it (it was marked active with the old
plan's subscription, and the new plan never reached Stripe)."""

from __future__ import annotations

import uuid
from dataclasses import replace

from billing_fakes import FakeBillingUnitOfWork

from labs_billing.adapters.stripe_gateway import StripeSubscription
from labs_billing.domain.model import Plan, Subscription
from labs_billing.service_layer.stripe_sync import StripeSync


class PendingSubscriptions:
    """The system scope's view: the one org's subscription while it is pending."""

    def __init__(self, uow: FakeBillingUnitOfWork) -> None:
        self._uow = uow

    async def pending(self, limit: int):
        current = self._uow.subscriptions.current
        return [replace(current)] if current.status == "pending" else []


class Stripe:
    """Stripe Billing, where the user changes the plan again while a call is in flight."""

    def __init__(self, uow: FakeBillingUnitOfWork, change_meanwhile: Plan | None) -> None:
        self._uow = uow
        self._meanwhile = change_meanwhile
        self.plans: list[str] = []

    async def ensure_org_customer(self, *, org_id: str, name: str) -> str:
        return "cus_1"

    async def change_subscription(self, *, customer_id, subscription_id, plan, org_id):
        self.plans.append(plan)
        if self._meanwhile is not None:
            subscriptions = self._uow.subscriptions
            subscriptions.current = replace(subscriptions.current, plan=self._meanwhile,
                                            status="pending")
            self._meanwhile = None
        return StripeSubscription(id="sub_1", customer_id=customer_id, status="active",
                                  plan=plan, price_id=f"price_{plan}", current_period_end=None)


def world(change_meanwhile: Plan | None):
    uow = FakeBillingUnitOfWork()
    uow.subscriptions.current = Subscription(org_id=uuid.uuid4(), plan=Plan.GROWTH,
                                             status="pending")

    def factory(scope):
        if scope.system:
            system = FakeBillingUnitOfWork(scope)
            system.subscriptions = PendingSubscriptions(uow)
            return system
        return uow

    stripe = Stripe(uow, change_meanwhile)
    return uow, stripe, StripeSync(factory, stripe)


async def test_a_confirmed_plan_is_active():
    uow, stripe, sync = world(None)
    await sync.subscriptions_once()
    assert stripe.plans == ["growth"]
    assert (uow.subscriptions.current.plan, uow.subscriptions.current.status) == (
        Plan.GROWTH, "active")
    assert uow.outbox.types() == ["subscription.changed"]


async def test_a_plan_changed_while_stripe_was_asked_stays_pending_and_is_pushed_next():
    uow, stripe, sync = world(Plan.SCALE)
    await sync.subscriptions_once()
    current = uow.subscriptions.current
    assert (current.plan, current.status, current.stripe_subscription_id) == (
        Plan.SCALE, "pending", "sub_1")
    await sync.subscriptions_once()
    assert stripe.plans == ["growth", "scale"]
    assert (uow.subscriptions.current.plan, uow.subscriptions.current.status) == (
        Plan.SCALE, "active")
