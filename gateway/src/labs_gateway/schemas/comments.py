"""Task comments and search results as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from labs_gateway.schemas.common import RequestModel
from labs_gateway.schemas.proto_json import PublicModel

Body = Annotated[str, Field(min_length=1, max_length=10_000)]


class CommentCreate(RequestModel):
    body: Body


class CommentUpdate(RequestModel):
    body: Body


class CommentPublic(PublicModel):
    id: str
    task_id: str
    project_id: str
    author_id: str
    body: str
    created_at: datetime | None
    updated_at: datetime | None
    edited_at: datetime | None


class CommentList(BaseModel):
    comments: list[CommentPublic]
    next_cursor: str | None


class SearchResultPublic(BaseModel):
    type: str
    id: str
    title: str
    project_id: str
    # Beyond API.md's fields: where a comment is, so a client can open its task.
    task_id: str | None = None
    snippet: str


class SearchResults(BaseModel):
    results: list[SearchResultPublic]
