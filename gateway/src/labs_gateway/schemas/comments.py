"""Task comments and search results as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from labs.projects.v1 import projects_service_pb2 as pb
from labs_gateway.schemas.common import RequestModel, timestamp

Body = Annotated[str, Field(min_length=1, max_length=10_000)]


class CommentCreate(RequestModel):
    body: Body


class CommentUpdate(RequestModel):
    body: Body


class CommentPublic(BaseModel):
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
    snippet: str


class SearchResults(BaseModel):
    results: list[SearchResultPublic]


def comment_public(comment: pb.Comment) -> CommentPublic:
    return CommentPublic(
        id=comment.id, task_id=comment.task_id, project_id=comment.project_id,
        author_id=comment.author_id, body=comment.body, created_at=timestamp(comment.created_at),
        updated_at=timestamp(comment.updated_at), edited_at=timestamp(comment.edited_at),
    )


def search_result_public(result: pb.SearchResult) -> SearchResultPublic:
    return SearchResultPublic(type=result.type, id=result.id, title=result.title,
                              project_id=result.project_id, snippet=result.snippet)
