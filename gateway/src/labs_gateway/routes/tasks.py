"""Tasks of a project: create, list with filters, read, update (moves on the board), delete,
bulk update (all or nothing)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from labs.projects.v1 import projects_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_gateway.dependencies import IdempotentWrite, IfMatch
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.middleware.read_cache import cached_read
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.etags import if_match_etags, set_etag
from labs_gateway.routes.projects_common import Cursor, Limit, Projects
from labs_gateway.schemas.proto_json import to_message
from labs_gateway.schemas.public import public
from labs_gateway.schemas.tasks import (
    TaskBulkResult,
    TaskBulkUpdate,
    TaskCreate,
    TaskList,
    TaskPublic,
    TaskStatusName,
    TaskUpdate,
)

router = APIRouter(route_class=ExactJsonRoute, tags=["tasks"], responses=PROBLEM_RESPONSES)
ProjectId = Annotated[uuid.UUID, Path(alias="id")]
TaskId = Annotated[uuid.UUID, Path(alias="id")]


@router.post("/projects/{id}/tasks", status_code=status.HTTP_201_CREATED,
             response_model=TaskPublic, dependencies=[IdempotentWrite])
async def create_task(project_id: ProjectId, body: TaskCreate, projects: Projects,
                      response: Response):
    """Add a task to a project (member or above); it lands last in its column by default."""
    created = await projects.CreateTask(to_message(pb.CreateTaskRequest, {
        "project_id": project_id, "task": body.model_dump()}))
    set_etag(response, created.task.etag)
    return public(created.task)


@router.get("/projects/{id}/tasks", response_model=TaskList)
@cached_read("projects")
async def list_tasks(project_id: ProjectId, projects: Projects,
                     limit: Limit = 50, cursor: Cursor = None,
                     status: TaskStatusName | None = None, assignee_id: uuid.UUID | None = None,
                     sprint_id: uuid.UUID | None = None,
                     parent_task_id: uuid.UUID | None = None,
                     github_issue_number: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None):
    """The project's tasks by board column, then position in it (`github_issue_number`: the task
    mirroring that GitHub issue)."""
    page = await projects.ListTasks(to_message(pb.ListTasksRequest, {
        "project_id": project_id, "page_size": limit, "page_token": cursor, "status": status,
        "assignee_id": assignee_id, "sprint_id": sprint_id, "parent_task_id": parent_task_id,
        "github_issue_number": github_issue_number}))
    return TaskList(tasks=[public(t) for t in page.tasks],
                    next_cursor=page.next_page_token or None)


@router.post("/projects/{id}/tasks/bulk", response_model=TaskBulkResult,
             dependencies=[IdempotentWrite])
async def bulk_update_tasks(project_id: ProjectId, body: TaskBulkUpdate, projects: Projects):
    """Apply the same changes to several tasks of the project: all of them or none."""
    fields = sorted(body.changes.model_fields_set)
    if not fields:
        raise InvalidArgument.on("changes", "Give at least one field to change.")
    updated = await projects.BulkUpdateTasks(to_message(pb.BulkUpdateTasksRequest, {
        "project_id": project_id, "task_ids": body.task_ids,
        "changes": body.changes.model_dump(include=set(fields)), "update_mask": fields}))
    return TaskBulkResult(tasks=[public(t) for t in updated.tasks])


@router.get("/tasks/{id}", response_model=TaskPublic)
@cached_read("projects")
async def get_task(task_id: TaskId, projects: Projects,
                   response: Response):
    """One task; the ETag goes back in If-Match on PATCH."""
    found = await projects.GetTask(pb.GetTaskRequest(id=str(task_id)))
    set_etag(response, found.task.etag)
    return public(found.task)


@router.patch("/tasks/{id}", response_model=TaskPublic, dependencies=[IdempotentWrite])
async def update_task(task_id: TaskId, body: TaskUpdate, projects: Projects, response: Response,
                      if_match: IfMatch = None):
    """Change the given fields; moving to done sets completed_at, leaving done clears it."""
    fields = sorted(body.model_fields_set)
    if not fields:
        raise InvalidArgument.on("body", "Give at least one field to change.")
    updated = await projects.UpdateTask(to_message(pb.UpdateTaskRequest, {
        "id": task_id, "task": body.model_dump(include=set(fields)), "update_mask": fields,
        "if_match_etags": if_match_etags(if_match)}))
    set_etag(response, updated.task.etag)
    return public(updated.task)


@router.delete("/tasks/{id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               dependencies=[IdempotentWrite])
async def delete_task(task_id: TaskId, projects: Projects) -> Response:
    """Delete a task and its subtasks."""
    await projects.DeleteTask(pb.DeleteTaskRequest(id=str(task_id)))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
