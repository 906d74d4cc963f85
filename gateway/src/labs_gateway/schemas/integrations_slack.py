"""What POST /webhooks/slack answers Slack: exactly the message Slack shows the user."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class SlackCommandReply(BaseModel):
    response_type: Literal["ephemeral", "in_channel"] = Field(
        description="ephemeral: only the user who ran the command sees it")
    text: str
