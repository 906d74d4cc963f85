"""Outgoing webhook endpoints and their deliveries as the API shows them.

An endpoint hears event types as the WebSocket names them ("task:updated") or "*"; its signing
secret is answered once, by the create, and never again."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from labs_gateway.schemas.common import RequestModel
from labs_gateway.schemas.proto_json import PublicModel

EventType = Annotated[str, StringConstraints(min_length=1, max_length=100)]
DeliveryStatusName = Literal["pending", "succeeded", "failed"]


# Requests


class WebhookEndpointCreate(RequestModel):
    url: Annotated[str, StringConstraints(min_length=1, max_length=2048)] = Field(
        description="Where each delivery is POSTed: http or https, no credentials in it, on a "
        "public address.", examples=["https://example.com/labs-webhooks"])
    events: Annotated[list[EventType], Field(min_length=1, max_length=100)] = Field(
        description='WebSocket event types ("task:updated") or ["*"] for all.',
        examples=[["task:created", "task:updated"]])


# Responses


class WebhookEndpointPublic(PublicModel):
    id: str
    url: str
    events: list[str]
    secret: str | None = Field(
        None, description="whsec_...: verifies Labs-Signature. Only in the create's answer.")
    created_at: datetime | None


class WebhookEndpointList(BaseModel):
    webhook_endpoints: list[WebhookEndpointPublic]
    next_cursor: str | None = None


class WebhookDeliveryPublic(PublicModel):
    id: str
    endpoint_id: str
    event_id: str = Field(description="The delivered event's id: the body's `id` and the "
                          "Labs-Event-Id header.")
    event_type: str
    status: DeliveryStatusName | None
    attempts: int
    last_status_code: int | None = Field(
        None, description="The endpoint's last HTTP status; null when it could not be reached.")
    last_error: str | None = None
    created_at: datetime | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None


class WebhookDeliveryList(BaseModel):
    deliveries: list[WebhookDeliveryPublic]
    next_cursor: str | None = None
