"""The agency's clients: create, list, read, update (If-Match), archive."""

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
from labs_gateway.schemas.projects import ClientCreate, ClientList, ClientPublic, ClientUpdate
from labs_gateway.schemas.proto_json import to_message
from labs_gateway.schemas.public import public

router = APIRouter(prefix="/clients", tags=["clients"], responses=PROBLEM_RESPONSES,
                   route_class=ExactJsonRoute)
ClientId = Annotated[uuid.UUID, Path(alias="id")]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ClientPublic,
             dependencies=[IdempotentWrite])
async def create_client(body: ClientCreate, projects: Projects,
                        response: Response):
    """Add a client (manager or above); names are unique per organization, ignoring case."""
    created = await projects.CreateClient(to_message(pb.CreateClientRequest, body.model_dump()))
    set_etag(response, created.client.etag)
    return public(created.client)


@router.get("", response_model=ClientList)
@cached_read("projects")
async def list_clients(projects: Projects, limit: Limit = 50,
                       cursor: Cursor = None,
                       q: Annotated[str, Query(max_length=200)] = "",
                       include_archived: bool = False):
    """The organization's clients, newest first, a page at a time."""
    page = await projects.ListClients(to_message(pb.ListClientsRequest, {
        "page_size": limit, "page_token": cursor, "q": q, "include_archived": include_archived}))
    return ClientList(clients=[public(c) for c in page.clients],
                      next_cursor=page.next_page_token or None)


@router.get("/{id}", response_model=ClientPublic)
@cached_read("projects")
async def get_client(client_id: ClientId, projects: Projects,
                     response: Response):
    """One client; the ETag goes back in If-Match on PATCH."""
    found = await projects.GetClient(pb.GetClientRequest(id=str(client_id)))
    set_etag(response, found.client.etag)
    return public(found.client)


@router.patch("/{id}", response_model=ClientPublic, dependencies=[IdempotentWrite])
async def update_client(client_id: ClientId, body: ClientUpdate, projects: Projects,
                        response: Response,
                        if_match: IfMatch = None):
    """Change the given fields (name, email, currency). Manager or above."""
    fields = sorted(body.model_fields_set)
    if not fields:
        raise InvalidArgument.on("body", "Give at least one of name, email, currency.")
    updated = await projects.UpdateClient(to_message(pb.UpdateClientRequest, {
        "id": client_id, "client": body.model_dump(include=set(fields)),
        "update_mask": fields, "if_match_etags": if_match_etags(if_match)}))
    set_etag(response, updated.client.etag)
    return public(updated.client)


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               dependencies=[IdempotentWrite])
async def delete_client(client_id: ClientId, projects: Projects) -> Response:
    """Archive a client (its projects stay). Manager or above."""
    await projects.DeleteClient(pb.DeleteClientRequest(id=str(client_id)))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
