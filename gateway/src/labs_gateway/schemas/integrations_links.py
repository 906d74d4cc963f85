"""Links of tasks and projects to Figma files, Notion pages, GitHub and Linear issues, as the API
shows them, and what POST /webhooks/figma answers Figma."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from labs_gateway.schemas.common import RequestModel
from labs_gateway.schemas.proto_json import PublicModel

LinkPlatform = Literal["figma", "notion", "github", "linear"]


class LinkCreate(RequestModel):
    url: Annotated[str, Field(min_length=1, max_length=2048)] = Field(
        description="A Figma file (figma.com/file/<key>/... or figma.com/design/<key>/...), a "
        "Notion page (notion.so/<workspace>/<Title>-<page id>), a GitHub issue "
        "(github.com/<owner>/<repo>/issues/<n>) or a Linear issue "
        "(linear.app/<workspace>/issue/<ID>/...).")


class LinkPublic(PublicModel):
    id: str
    url: str = Field(description="The target's canonical URL.")
    platform: LinkPlatform
    title: str | None = Field(description="The file's, page's or issue's title, read from the "
                              "platform with the organization's connection; null until then "
                              "(and while the organization has no connection to it).")
    thumbnail_url: str | None
    updated_at: datetime | None = Field(description="When the target last changed on its "
                                        "platform; null until known.")
    task_id: str | None
    project_id: str
    created_at: datetime | None
    created_by: str | None


class LinkList(BaseModel):
    links: list[LinkPublic]
    next_cursor: str | None = None


class FigmaWebhookReceived(BaseModel):
    received: bool = True
