"""The use cases of outgoing webhooks, one frozen dataclass each (mapped in by the servicer)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class CreateWebhookEndpoint:
    url: str
    events: tuple[str, ...]


@dataclass(frozen=True)
class ListWebhookEndpoints:
    after: tuple | None
    limit: int


@dataclass(frozen=True)
class DeleteWebhookEndpoint:
    endpoint_id: uuid.UUID


@dataclass(frozen=True)
class ListWebhookDeliveries:
    endpoint_id: uuid.UUID
    before: tuple | None
    limit: int


@dataclass(frozen=True)
class RedeliverWebhook:
    endpoint_id: uuid.UUID
    delivery_id: uuid.UUID
