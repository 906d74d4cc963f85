"""What POST /webhooks/linear answers Linear."""

from __future__ import annotations

from pydantic import BaseModel


class LinearWebhookReceived(BaseModel):
    received: bool = True
