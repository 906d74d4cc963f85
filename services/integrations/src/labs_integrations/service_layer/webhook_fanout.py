"""Every event of an organization, offered to each of its live webhook endpoints whose filter
hears it: rendered exactly as the WebSocket shows it to the endpoint's reader (the gateway's
renderer, labs_gateway.ws.events), stored as one pending delivery per endpoint and event.

The reader of an endpoint is its creator as a member of the organization now (the read model of
members): a creator who left, or who is now a client (whose client the read model does not know,
so which projects it may see cannot be told), gets nothing delivered; a member whose role no
longer sees a field (a time entry's cost_rate) gets it withheld, as on their socket. The
organization's `financials_visible_to` is not in the read model: its default (managers) is used,
which may withhold margins from a member the setting opens them to, never the reverse."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import structlog

from labs.events.v1 import envelope_pb2
from labs_common.auth.roles import staff_role
from labs_common.visibility import Reader
from labs_gateway.ws.events import EventView
from labs_integrations.domain.read_model import KnownMember
from labs_integrations.domain.webhooks import DeliveryStatus, WebhookDelivery

log = structlog.get_logger(__name__)


def reader_of(member: KnownMember | None) -> Reader | None:
    """Whom an endpoint's deliveries are shown as; None when nothing may be delivered."""
    role = staff_role(member.role, member.active) if member is not None else None
    return Reader(role=role, user_id=str(member.user_id)) if role is not None else None


async def fan_out(envelope: envelope_pb2.Envelope, uow, *, retry_seconds: float,
                  wake: Callable[[], None] = lambda: None) -> int:
    """Stores the deliveries `envelope` makes (none twice); the number stored."""
    if not envelope.org_id:
        return 0
    endpoints = await uow.webhook_endpoints.live()
    if not endpoints:
        return 0
    view = EventView.of(envelope)
    if view is None:
        return 0
    now = datetime.now(UTC)
    stored = 0
    for endpoint in endpoints:
        if not endpoint.hears(view.type):
            continue
        reader = reader_of(await uow.known_members.get(endpoint.created_by))
        if reader is None or not view.visible_to(reader):
            continue
        delivery = WebhookDelivery(
            id=uuid.uuid4(), org_id=endpoint.org_id, endpoint_id=endpoint.id,
            event_id=uuid.UUID(envelope.id), event_type=view.type, body=view.text_for(reader),
            status=DeliveryStatus.PENDING, created_at=now, next_attempt_at=now,
            give_up_at=now + timedelta(seconds=retry_seconds))
        if await uow.webhook_deliveries.add_if_absent(delivery):
            stored += 1
    if stored:
        log.info("webhooks.fanned_out", event_id=envelope.id, event_type=view.type,
                 deliveries=stored)
        wake()
    return stored
