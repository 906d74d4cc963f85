"""Projects: create, list with filters, read, update (If-Match; status follows the workflow),
archive (DELETE). Listed and read, a project carries its margin from forecasting (one call per
page, for readers of financials) and, read alone, its team from capacity."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any

import grpc
import structlog
from fastapi import APIRouter, Path, Query, Response, status

from labs.capacity.v1 import capacity_service_pb2 as capacity_pb
from labs.forecasting.v1 import forecasting_service_pb2 as forecasting_pb
from labs.projects.v1 import projects_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_common.visibility import Reader, field_readers
from labs_gateway.dependencies import IdempotentWrite, IfMatch
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.middleware.read_cache import answered_in_part, cached_read
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.capacity_common import Capacity
from labs_gateway.routes.etags import if_match_etags, set_etag
from labs_gateway.routes.forecasting_common import Forecasting
from labs_gateway.routes.projects_common import Cursor, Limit, Projects
from labs_gateway.schemas.forecasting import MarginPublic
from labs_gateway.schemas.projects import (
    ProjectCreate,
    ProjectDetail,
    ProjectList,
    ProjectPublic,
    ProjectStatusName,
    ProjectUpdate,
    TeamAllocationPublic,
)
from labs_gateway.schemas.proto_json import to_message, to_public
from labs_gateway.schemas.public import current_reader, public

router = APIRouter(prefix="/projects", tags=["projects"], responses=PROBLEM_RESPONSES,
                   route_class=ExactJsonRoute)
ProjectId = Annotated[uuid.UUID, Path(alias="id")]
log = structlog.get_logger("labs.gateway.projects")
# Who may read a margin: the policy the contract declares on ListProjectMarginsResponse.margins
# (FINANCIALS: manager and up by default).
MARGIN_READERS = field_readers(
    forecasting_pb.ListProjectMarginsResponse.DESCRIPTOR.fields_by_name["margins"])


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
@cached_read("projects", "forecasting", "capacity")
async def list_projects(projects: Projects, forecasting: Forecasting, capacity: Capacity,
                        limit: Limit = 50, cursor: Cursor = None,
                        status: ProjectStatusName | None = None,
                        client_id: uuid.UUID | None = None,
                        q: Annotated[str, Query(max_length=200)] = ""):
    """Projects newest first; archived ones only with status=archived. Each carries its margin
    for manager and above (null while forecasting does not know it) and its team allocation:
    one call to forecasting and one to capacity for the whole page."""
    page = await projects.ListProjects(to_message(pb.ListProjectsRequest, {
        "page_size": limit, "page_token": cursor, "status": status, "client_id": client_id,
        "q": q}))
    reader = current_reader()
    ids = [p.id for p in page.projects]
    teams, margins = await asyncio.gather(_teams(capacity, ids, reader, degrade=True),
                                          _margins(forecasting, ids, reader))
    return ProjectList(
        projects=[to_public(ProjectDetail, p, reader, **_team_of(p.id, teams),
                            **_margin_of(p.id, margins)) for p in page.projects],
        next_cursor=page.next_page_token or None)


@router.get("/{id}", response_model=ProjectDetail)
@cached_read("projects", "forecasting", "capacity")
async def get_project(project_id: ProjectId, projects: Projects, capacity: Capacity,
                      forecasting: Forecasting, response: Response):
    """One project with its margin (manager or above) and its team allocation; the ETag goes
    back in If-Match on PATCH."""
    found = await projects.GetProject(pb.GetProjectRequest(id=str(project_id)))
    set_etag(response, found.project.etag)
    reader = current_reader()
    # Asked only once projects has said the caller may see the project.
    teams, margins = await asyncio.gather(
        _teams(capacity, [found.project.id], reader),
        _margins(forecasting, [found.project.id], reader))
    return to_public(ProjectDetail, found.project, reader, **_team_of(found.project.id, teams),
                     **_margin_of(found.project.id, margins))


async def _margins(forecasting, project_ids: list[str],
                   reader: Reader | None) -> dict[str, MarginPublic] | None:
    """The margins of these projects in one call to forecasting, by project id; None (the field
    left out) for a reader the policy shows no margin. A project forecasting does not know is
    missing from the answer, and so is every one when forecasting fails: a project list never
    fails for its margins."""
    if reader is None or not reader.may_read_field(MARGIN_READERS):
        return None
    if not project_ids:
        return {}
    try:
        answer = await forecasting.ListProjectMargins(
            forecasting_pb.ListProjectMarginsRequest(project_ids=project_ids))
    except grpc.aio.AioRpcError as error:
        answered_in_part()
        log.warning("projects.margins_unavailable", code=error.code().name,
                    projects=len(project_ids))
        return {}
    return {margin.project_id: to_public(MarginPublic, margin, reader)
            for margin in answer.margins}


def _margin_of(project_id: str, margins: dict[str, MarginPublic] | None) -> dict[str, Any]:
    """`margin=` for the project's model: nothing when the reader sees no margins, else its
    margin or None."""
    return {} if margins is None else {"margin": margins.get(project_id)}


async def _teams(capacity, project_ids: list[str], reader, *, degrade: bool = False
                 ) -> dict[str, list[TeamAllocationPublic]] | None:
    """The projects' allocations as capacity shows them to the caller, in one call, by project;
    None (the field left out) when capacity shows the caller nothing of itself (the client
    role), or, for a list (`degrade`), when capacity does not answer."""
    if not project_ids:
        return {}
    try:
        answer = await capacity.ListProjectAllocations(
            capacity_pb.ListProjectAllocationsRequest(project_ids=project_ids))
    except grpc.aio.AioRpcError as error:
        if error.code() == grpc.StatusCode.PERMISSION_DENIED:
            return None
        if not degrade:
            raise
        answered_in_part()
        log.warning("projects.teams_unavailable", code=error.code().name,
                    projects=len(project_ids))
        return None
    teams: dict[str, list[TeamAllocationPublic]] = {p: [] for p in project_ids}
    for item in answer.allocations:
        teams.setdefault(item.allocation.project_id, []).append(
            to_public(TeamAllocationPublic, item.allocation, reader, name=item.resource_name))
    return teams


def _team_of(project_id: str, teams: dict[str, list] | None) -> dict[str, Any]:
    return {} if teams is None else {"team_allocation": teams.get(project_id, [])}


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
