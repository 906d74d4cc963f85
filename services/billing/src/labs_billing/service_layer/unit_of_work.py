"""Billing's unit of work: the platform one plus billing's repositories, each bound to the
scope's org."""

from __future__ import annotations

from collections.abc import Callable

from labs_billing.adapters.invoices_repository import SqlAlchemyInvoiceRepository
from labs_billing.adapters.payments_repository import SqlAlchemyPaymentRepository
from labs_billing.adapters.stripe_events import SqlAlchemyStripeEvents
from labs_billing.adapters.subscriptions_repository import SqlAlchemySubscriptionRepository
from labs_common.db.uow import Scope, UnitOfWork


class BillingUnitOfWork(UnitOfWork):
    invoices: SqlAlchemyInvoiceRepository
    payments: SqlAlchemyPaymentRepository
    subscriptions: SqlAlchemySubscriptionRepository
    stripe_events: SqlAlchemyStripeEvents

    repositories = {
        "invoices": SqlAlchemyInvoiceRepository,
        "payments": SqlAlchemyPaymentRepository,
        "subscriptions": SqlAlchemySubscriptionRepository,
        "stripe_events": SqlAlchemyStripeEvents,
    }


UowFactory = Callable[[Scope], BillingUnitOfWork]
