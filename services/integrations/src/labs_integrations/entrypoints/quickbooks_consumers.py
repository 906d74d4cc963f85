"""QuickBooks hears billing's invoice.issued and invoice.voided: for an org with QuickBooks
connected, each becomes a queued push (service_layer/quickbooks_pushes.py), and this replica's
push worker is woken."""

from __future__ import annotations

from collections.abc import Callable

from labs_common.events.consumer import Subscription
from labs_integrations.service_layer.quickbooks_pushes import (
    INVOICE_EVENTS,
    QUICKBOOKS_PUSHES_SWEEPER,
    on_invoice_event,
)
from labs_integrations.service_layer.webhook_delivery import Waker

CONSUMER = "integrations-quickbooks"


def quickbooks_subscriptions(wake: Callable[[str], None] = lambda _name: None
                             ) -> list[Subscription]:
    waker = Waker(lambda: wake(QUICKBOOKS_PUSHES_SWEEPER))  # now, and again once committed

    async def on_invoice(envelope, uow) -> None:
        if await on_invoice_event(envelope, uow):
            waker()

    return [Subscription(CONSUMER, "billing", kind, on_invoice) for kind in INVOICE_EVENTS]
