"""Links of tasks and projects to Figma files, Notion pages, GitHub and Linear issues. The
integrations service stores the link and answers; its title, thumbnail and last change follow
from the platform, read with the organization's connection, and are kept fresh."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs_gateway.dependencies import IdempotentWrite
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.integrations_common import Integrations
from labs_gateway.routes.members import Cursor, Limit
from labs_gateway.schemas.integrations_links import LinkCreate, LinkList, LinkPublic
from labs_gateway.schemas.public import public

router = APIRouter(route_class=ExactJsonRoute, tags=["links"], responses=PROBLEM_RESPONSES)

TaskId = Annotated[uuid.UUID, Path(alias="id")]
ProjectId = Annotated[uuid.UUID, Path(alias="id")]
LinkId = Annotated[uuid.UUID, Path(alias="id")]
EXISTING = {200: {"model": LinkPublic,
                  "description": "The task (or project) links this target already: that link, "
                                 "unchanged."}}


async def _create(request: pb.CreateLinkRequest, integrations, response: Response):
    answer = await integrations.CreateLink(request)
    if not answer.created:
        response.status_code = status.HTTP_200_OK
    return public(answer.link)


async def _list(request: pb.ListLinksRequest, integrations) -> LinkList:
    page = await integrations.ListLinks(request)
    return LinkList(links=[public(link) for link in page.links],
                    next_cursor=page.next_page_token or None)


@router.post("/tasks/{id}/links", status_code=status.HTTP_201_CREATED,
             response_model=LinkPublic, responses=EXISTING, dependencies=[IdempotentWrite])
async def link_task(task_id: TaskId, body: LinkCreate, integrations: Integrations,
                    response: Response):
    """Link the task to a Figma file, a Notion page, a GitHub or a Linear issue: 201 with the
    link (title null until read from the platform); the same target again answers 200 with
    the existing link. Member or above; another URL is a 422 naming `url`."""
    return await _create(pb.CreateLinkRequest(task_id=str(task_id), url=body.url),
                         integrations, response)


@router.get("/tasks/{id}/links", response_model=LinkList)
async def task_links(task_id: TaskId, integrations: Integrations, limit: Limit = 50,
                     cursor: Cursor = None):
    """The task's links, oldest first. Whoever may see the task."""
    return await _list(pb.ListLinksRequest(task_id=str(task_id), page_size=limit,
                                           page_token=cursor or ""), integrations)


@router.post("/projects/{id}/links", status_code=status.HTTP_201_CREATED,
             response_model=LinkPublic, responses=EXISTING, dependencies=[IdempotentWrite])
async def link_project(project_id: ProjectId, body: LinkCreate, integrations: Integrations,
                       response: Response):
    """Link the project itself to a Figma file, a Notion page, a GitHub or a Linear issue, as
    for a task. Member or above."""
    return await _create(pb.CreateLinkRequest(project_id=str(project_id), url=body.url),
                         integrations, response)


@router.get("/projects/{id}/links", response_model=LinkList)
async def project_links(project_id: ProjectId, integrations: Integrations, limit: Limit = 50,
                        cursor: Cursor = None):
    """The project's own links (not its tasks'), oldest first. Whoever may see the project."""
    return await _list(pb.ListLinksRequest(project_id=str(project_id), page_size=limit,
                                           page_token=cursor or ""), integrations)


@router.delete("/links/{id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               dependencies=[IdempotentWrite])
async def delete_link(link_id: LinkId, integrations: Integrations) -> Response:
    """Remove a link. Member or above."""
    await integrations.DeleteLink(pb.DeleteLinkRequest(id=str(link_id)))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
