"""Comments on tasks: anyone who sees the task comments (viewers excepted, clients included);
authors edit and delete their own."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from labs.projects.v1 import projects_service_pb2 as pb
from labs_gateway.dependencies import IdempotentWrite
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.projects_common import Cursor, Limit, Projects
from labs_gateway.schemas.comments import (
    CommentCreate,
    CommentList,
    CommentPublic,
    CommentUpdate,
)
from labs_gateway.schemas.proto_json import to_message
from labs_gateway.schemas.public import public

router = APIRouter(route_class=ExactJsonRoute, tags=["comments"], responses=PROBLEM_RESPONSES)
TaskId = Annotated[uuid.UUID, Path(alias="id")]
CommentId = Annotated[uuid.UUID, Path(alias="id")]


@router.post("/tasks/{id}/comments", status_code=status.HTTP_201_CREATED,
             response_model=CommentPublic, dependencies=[IdempotentWrite])
async def create_comment(task_id: TaskId, body: CommentCreate, projects: Projects):
    """Comment on a task."""
    created = await projects.CreateComment(to_message(
        pb.CreateCommentRequest, {"task_id": task_id, **body.model_dump()}))
    return public(created.comment)


@router.get("/tasks/{id}/comments", response_model=CommentList)
async def list_comments(task_id: TaskId, projects: Projects,
                        limit: Limit = 50, cursor: Cursor = None):
    """A task's comments, oldest first."""
    page = await projects.ListComments(to_message(pb.ListCommentsRequest, {
        "task_id": task_id, "page_size": limit, "page_token": cursor}))
    return CommentList(comments=[public(c) for c in page.comments],
                       next_cursor=page.next_page_token or None)


@router.patch("/comments/{id}", response_model=CommentPublic, dependencies=[IdempotentWrite])
async def update_comment(comment_id: CommentId, body: CommentUpdate, projects: Projects):
    """Edit your own comment."""
    updated = await projects.UpdateComment(to_message(
        pb.UpdateCommentRequest, {"id": comment_id, **body.model_dump()}))
    return public(updated.comment)


@router.delete("/comments/{id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, dependencies=[IdempotentWrite])
async def delete_comment(comment_id: CommentId, projects: Projects) -> Response:
    """Delete your own comment."""
    await projects.DeleteComment(pb.DeleteCommentRequest(id=str(comment_id)))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
