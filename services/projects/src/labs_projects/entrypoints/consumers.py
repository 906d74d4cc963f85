"""Durable subscriptions of the projects service: the activity feed hears every event of every
service (including services added later: their stream is `labs.<service>.>`)."""

from __future__ import annotations

from labs_common.config import SERVICES
from labs_common.events.consumer import Subscription
from labs_projects.service_layer.activity import record_event


def activity_subscriptions() -> list[Subscription]:
    # ">" rather than "*.*": an event type with more than two tokens is recorded too. An
    # activity's id is its event's, inserted ON CONFLICT DO NOTHING: no inbox claim is needed.
    return [
        Subscription(consumer="activity", source=service, event_type=">", handler=record_event,
                     idempotent=True)
        for service in SERVICES
    ]
