"""Sprints of a project; their points are computed from their tasks on every read."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

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
    SprintCreate,
    SprintList,
    SprintPublic,
    SprintStatusName,
    SprintUpdate,
)

router = APIRouter(route_class=ExactJsonRoute, tags=["sprints"], responses=PROBLEM_RESPONSES)
ProjectId = Annotated[uuid.UUID, Path(alias="id")]
SprintId = Annotated[uuid.UUID, Path(alias="id")]


@router.post("/projects/{id}/sprints", status_code=status.HTTP_201_CREATED,
             response_model=SprintPublic, dependencies=[IdempotentWrite])
async def create_sprint(project_id: ProjectId, body: SprintCreate, projects: Projects,
                        response: Response):
    """Plan a sprint (manager or above); at most one sprint per project is active."""
    created = await projects.CreateSprint(to_message(pb.CreateSprintRequest, {
        "project_id": project_id, "sprint": body.model_dump()}))
    set_etag(response, created.sprint.etag)
    return public(created.sprint)


@router.get("/projects/{id}/sprints", response_model=SprintList)
@cached_read("projects")
async def list_sprints(project_id: ProjectId, projects: Projects,
                       limit: Limit = 50, cursor: Cursor = None,
                       status: SprintStatusName | None = None):
    """The project's sprints, oldest first, with their points."""
    page = await projects.ListSprints(to_message(pb.ListSprintsRequest, {
        "project_id": project_id, "page_size": limit, "page_token": cursor, "status": status}))
    return SprintList(sprints=[public(s) for s in page.sprints],
                      next_cursor=page.next_page_token or None)


@router.get("/sprints/{id}", response_model=SprintPublic)
@cached_read("projects")
async def get_sprint(sprint_id: SprintId, projects: Projects,
                     response: Response):
    """One sprint with total_points and completed_points as of now."""
    found = await projects.GetSprint(pb.GetSprintRequest(id=str(sprint_id)))
    set_etag(response, found.sprint.etag)
    return public(found.sprint)


@router.patch("/sprints/{id}", response_model=SprintPublic, dependencies=[IdempotentWrite])
async def update_sprint(sprint_id: SprintId, body: SprintUpdate, projects: Projects,
                        response: Response,
                        if_match: IfMatch = None):
    """Change the given fields; activating a second sprint in a project is 409."""
    fields = sorted(body.model_fields_set)
    if not fields:
        raise InvalidArgument.on("body", "Give at least one field to change.")
    updated = await projects.UpdateSprint(to_message(pb.UpdateSprintRequest, {
        "id": sprint_id, "sprint": body.model_dump(include=set(fields)), "update_mask": fields,
        "if_match_etags": if_match_etags(if_match)}))
    set_etag(response, updated.sprint.etag)
    return public(updated.sprint)
