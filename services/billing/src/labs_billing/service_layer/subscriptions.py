"""The organization's own Labs plan (seed 000: free, starter, growth, scale), kept in Stripe
Billing: a change is recorded as pending and pushed to Stripe from the outbox; Stripe's
`customer.subscription.*` webhooks bring its status and renewal date back."""

from __future__ import annotations

from labs_billing.domain import commands
from labs_billing.domain.model import Subscription
from labs_billing.service_layer import events
from labs_billing.service_layer.unit_of_work import BillingUnitOfWork
from labs_common.auth.roles import Role


async def get_subscription(command: commands.GetSubscription, uow: BillingUnitOfWork
                           ) -> Subscription:
    uow.caller.require(Role.VIEWER)
    return await uow.subscriptions.get()


async def change_subscription(command: commands.ChangeSubscription, uow: BillingUnitOfWork
                              ) -> Subscription:
    uow.caller.require(Role.ADMIN)
    current = await uow.subscriptions.get(lock=True)
    if current.plan is command.plan and current.status != "pending":
        return current
    current.plan, current.status = command.plan, "pending"
    saved = await uow.subscriptions.put(current)
    await events.subscription_changed(uow, saved)
    return saved
