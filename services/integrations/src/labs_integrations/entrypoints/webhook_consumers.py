"""Outgoing webhooks hear every event of every service (as the activity feed does): each one is
offered to the org's endpoints (service_layer/webhook_fanout.py), and the delivery worker woken.

">" rather than "*.*": an event type with more than two tokens is heard too. A redelivered NATS
event changes nothing: the consumer's inbox claims each event once, and a delivery is unique per
endpoint and event. An org without a live endpoint costs one indexed read per event, no claim."""

from __future__ import annotations

from collections.abc import Callable

from labs_common.config import SERVICES
from labs_common.events.consumer import Subscription
from labs_integrations.service_layer.webhook_delivery import WEBHOOKS_SWEEPER, Waker
from labs_integrations.service_layer.webhook_fanout import fan_out

CONSUMER = "integrations-webhooks"
DEFAULT_RETRY_SECONDS = 3 * 24 * 3600.0


def webhook_subscriptions(wake: Callable[[str], None] = lambda _name: None, *,
                          retry_seconds: float = DEFAULT_RETRY_SECONDS) -> list[Subscription]:
    waker = Waker(lambda: wake(WEBHOOKS_SWEEPER))

    async def on_event(envelope, uow) -> None:
        await fan_out(envelope, uow, retry_seconds=retry_seconds, wake=waker)

    return [Subscription(consumer=CONSUMER, source=service, event_type=">", handler=on_event,
                         wanted=has_endpoints)
            for service in SERVICES]


async def has_endpoints(envelope, uow) -> bool:
    """Most orgs have no endpoint: their events are acked with no inbox claim (no write)."""
    return bool(envelope.org_id) and await uow.webhook_endpoints.any_live()
