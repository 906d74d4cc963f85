"""Outgoing webhooks' domain objects as labs.integrations.v1 messages."""

from __future__ import annotations

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs_common.protobuf import EnumMapping, message_of
from labs_integrations.domain.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint

DELIVERY_STATUSES = EnumMapping(pb.DeliveryStatus, DeliveryStatus)


def endpoint(value: WebhookEndpoint) -> pb.WebhookEndpoint:
    """The secret is set only on the endpoint Create answers (the others carry none)."""
    return message_of(pb.WebhookEndpoint, value, events=list(value.events),
                      secret=value.secret or None)


def delivery(value: WebhookDelivery) -> pb.WebhookDelivery:
    return message_of(pb.WebhookDelivery, value, last_status_code=value.last_status_code or 0,
                      last_error=value.last_error or None)
