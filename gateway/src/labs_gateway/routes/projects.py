"""Projects: create, list with filters, read, update (If-Match; status follows the workflow),
archive (DELETE)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from labs.projects.v1 import projects_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_gateway.dependencies import IdempotentWrite, IfMatch
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.etags import if_match_etags, set_etag
from labs_gateway.routes.projects_common import Cursor, Limit, Projects
from labs_gateway.schemas.projects import (
    ProjectCreate,
    ProjectList,
    ProjectPublic,
    ProjectStatusName,
    ProjectUpdate,
)
from labs_gateway.schemas.proto_json import to_message
from labs_gateway.schemas.public import public

router = APIRouter(prefix="/projects", tags=["projects"], responses=PROBLEM_RESPONSES,
                   route_class=ExactJsonRoute)
ProjectId = Annotated[uuid.UUID, Path(alias="id")]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProjectPublic,
             dependencies=[IdempotentWrite])
async def create_project(body: ProjectCreate, projects: Projects,
                         response: Response):
    """Create a project (manager or above) for a client given by id or by name."""
    created = await projects.CreateProject(to_message(pb.CreateProjectRequest, {
        "project": body.model_dump(exclude={"client_name"}), "client_name": body.client_name}))
    set_etag(response, created.project.etag)
    return public(created.project)


@router.get("", response_model=ProjectList)
async def list_projects(projects: Projects, limit: Limit = 50,
                        cursor: Cursor = None, status: ProjectStatusName | None = None,
                        client_id: uuid.UUID | None = None,
                        q: Annotated[str, Query(max_length=200)] = ""):
    """Projects newest first; archived ones only with status=archived."""
    page = await projects.ListProjects(to_message(pb.ListProjectsRequest, {
        "page_size": limit, "page_token": cursor, "status": status, "client_id": client_id,
        "q": q}))
    return ProjectList(projects=[public(p) for p in page.projects],
                       next_cursor=page.next_page_token or None)


@router.get("/{id}", response_model=ProjectPublic)
async def get_project(project_id: ProjectId, projects: Projects,
                      response: Response):
    """One project; the ETag goes back in If-Match on PATCH."""
    found = await projects.GetProject(pb.GetProjectRequest(id=str(project_id)))
    set_etag(response, found.project.etag)
    return public(found.project)


@router.patch("/{id}", response_model=ProjectPublic, dependencies=[IdempotentWrite])
async def update_project(project_id: ProjectId, body: ProjectUpdate, projects: Projects,
                         response: Response,
                         if_match: IfMatch = None):
    """Change the given fields; null clears an optional one. Manager or above."""
    return await _update(project_id, body, projects, response, if_match)


@router.put("/{id}", response_model=ProjectPublic, dependencies=[IdempotentWrite])
async def put_project(project_id: ProjectId, body: ProjectUpdate, projects: Projects,
                      response: Response, if_match: IfMatch = None):
    """Same as PATCH: only the fields given change (as the seed's PUT does)."""
    return await _update(project_id, body, projects, response, if_match)


async def _update(project_id: uuid.UUID, body: ProjectUpdate, projects, response: Response,
                  if_match: str | None) -> ProjectPublic:
    fields = sorted(body.model_fields_set)
    if not fields:
        raise InvalidArgument.on("body", "Give at least one field to change.")
    updated = await projects.UpdateProject(to_message(pb.UpdateProjectRequest, {
        "id": project_id, "project": body.model_dump(include=set(fields)),
        "update_mask": fields, "if_match_etags": if_match_etags(if_match)}))
    set_etag(response, updated.project.etag)
    return public(updated.project)


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               dependencies=[IdempotentWrite])
async def delete_project(project_id: ProjectId, projects: Projects) -> Response:
    """Archive a project: it leaves the default list but nothing is deleted."""
    await projects.DeleteProject(pb.DeleteProjectRequest(id=str(project_id)))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
