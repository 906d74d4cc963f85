"""What POST /webhooks/github answers GitHub."""

from __future__ import annotations

from pydantic import BaseModel


class GitHubWebhookReceived(BaseModel):
    received: bool = True
