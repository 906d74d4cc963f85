"""Connections to other platforms: connect (OAuth or a token), settings, delete, sync, and Jira
and Asana imports into tasks."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, status
from fastapi.responses import JSONResponse, Response

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs_gateway.dependencies import IdempotentWrite
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.integrations_common import Integrations
from labs_gateway.routes.members import Cursor, Limit
from labs_gateway.schemas.integrations import (
    AuthorizationCallback,
    AuthorizationStart,
    AuthorizationUrl,
    ConnectionList,
    ConnectionPublic,
    ConnectionUpdate,
    ImportStart,
    PlatformName,
    SyncAccepted,
    SyncLogList,
    SyncStatusPublic,
)
from labs_gateway.schemas.proto_json import enum_name, to_message
from labs_gateway.schemas.public import public

router = APIRouter(route_class=ExactJsonRoute, tags=["integrations"],
                   responses=PROBLEM_RESPONSES)

ConnectionId = Annotated[uuid.UUID, Path(alias="id")]
Platform = Annotated[PlatformName, Path(description="The platform to connect.")]


def _platform(name: str) -> int:
    return pb.Platform.Value(f"PLATFORM_{name.upper()}")


@router.get("/integrations", response_model=ConnectionList)
async def list_connections(integrations: Integrations):
    """The organization's connections, one per platform. Manager or above."""
    found = await integrations.ListConnections(pb.ListConnectionsRequest())
    return ConnectionList(integrations=[public(c) for c in found.connections])


@router.post("/integrations/{platform}/auth", dependencies=[IdempotentWrite],
             response_model=ConnectionPublic | AuthorizationUrl, status_code=201,
             responses={200: {"model": AuthorizationUrl,
                              "description": "OAuth: where to send the user"}})
async def start_authorization(platform: Platform, body: AuthorizationStart,
                              integrations: Integrations):
    """Connect a platform. With `redirect_url`: 200 and the platform's authorization URL with a
    single-use `state` (10 minutes). With the platform's token: checked with the platform, then
    201 and the connection (a token it refuses is a 422). Admin or above."""
    if body.redirect_url is not None:
        started = await integrations.StartAuthorization(pb.StartAuthorizationRequest(
            platform=_platform(platform), redirect_url=body.redirect_url))
        return JSONResponse(AuthorizationUrl(auth_url=started.auth_url,
                                             state=started.state).model_dump(),
                            status_code=status.HTTP_200_OK)
    connected = await integrations.ConnectWithToken(pb.ConnectWithTokenRequest(
        platform=_platform(platform), access_token=body.access_token or "",
        account_id=body.account_id or "", api_key=body.api_key or ""))
    return public(connected.connection)


@router.post("/integrations/{platform}/callback", response_model=ConnectionPublic,
             dependencies=[IdempotentWrite])
async def complete_authorization(platform: Platform, body: AuthorizationCallback,
                                 integrations: Integrations):
    """OAuth's return: the code and state the platform sent back (QuickBooks: and its
    `realm_id`) → the connection. An unknown, used or expired state is a 422 naming `state`.
    Admin or above."""
    connected = await integrations.CompleteAuthorization(pb.CompleteAuthorizationRequest(
        platform=_platform(platform), code=body.code, state=body.state,
        account_id=body.realm_id or ""))
    return public(connected.connection)


@router.patch("/integrations/{id}", response_model=ConnectionPublic)
async def update_connection(connection_id: ConnectionId, body: ConnectionUpdate,
                            integrations: Integrations):
    """Change a connection's settings (Slack `default_channel`, `audience`). Admin or above."""
    updated = await integrations.UpdateConnection(to_message(pb.UpdateConnectionRequest, {
        "connection_id": str(connection_id), "connection": {"settings": body.settings},
        "update_mask": ["settings"]}))
    return public(updated.connection)


@router.delete("/integrations/{id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response)
async def delete_connection(connection_id: ConnectionId, integrations: Integrations):
    """Disconnect: the credentials are destroyed here and revoked at the platform when it
    offers that. Admin or above."""
    await integrations.DeleteConnection(
        pb.DeleteConnectionRequest(connection_id=str(connection_id)))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/integrations/{id}/sync", status_code=status.HTTP_202_ACCEPTED,
             response_model=SyncAccepted, dependencies=[IdempotentWrite])
async def start_sync(connection_id: ConnectionId, integrations: Integrations):
    """Sync now (GitHub: read what changed in every linked repository since the last sync and
    heal what a lost webhook missed). A sync already queued or running is the answer. Admin or
    above."""
    started = await integrations.StartSync(pb.StartSyncRequest(connection_id=str(connection_id)))
    return SyncAccepted(job_id=started.job_id)


@router.post("/integrations/{id}/import", status_code=status.HTTP_202_ACCEPTED,
             response_model=SyncAccepted, dependencies=[IdempotentWrite],
             responses={409: {"description": "The connection is not Jira's or Asana's"}})
async def start_import(connection_id: ConnectionId, body: ImportStart,
                       integrations: Integrations):
    """Import a Jira JQL query's issues or an Asana project's tasks into the project's tasks
    (status, assignee by email, estimate), as the member who connected the platform. An issue
    imported before updates its task instead of making another. The job is one of the
    connection's sync logs (`job_id`, trigger `import`); the same import asked again while it
    runs is the same job. A project the caller cannot see is a 422 naming `project_id`; a
    connection of another platform a 409. Admin or above."""
    started = await integrations.StartImport(pb.StartImportRequest(
        connection_id=str(connection_id), project_id=body.project_id, source=body.source))
    return SyncAccepted(job_id=started.job_id)


@router.get("/integrations/{id}/sync-status", response_model=SyncStatusPublic)
async def sync_status(connection_id: ConnectionId, integrations: Integrations):
    """How the latest sync stands. Manager or above."""
    found = await integrations.GetSyncStatus(
        pb.GetSyncStatusRequest(connection_id=str(connection_id)))
    return SyncStatusPublic(status=enum_name(pb.SyncStatus.DESCRIPTOR, found.status),
                            records_synced=found.records_synced, errors=list(found.errors),
                            next_sync_in_minutes=found.next_sync_in_minutes)


@router.get("/integrations/{id}/sync-logs", response_model=SyncLogList)
async def sync_logs(connection_id: ConnectionId, integrations: Integrations,
                    limit: Limit = 50, cursor: Cursor = None):
    """Every sync of the connection, newest first. Manager or above."""
    page = await integrations.ListSyncLogs(to_message(pb.ListSyncLogsRequest, {
        "connection_id": str(connection_id), "page_size": limit, "page_token": cursor}))
    return SyncLogList(sync_logs=[public(log) for log in page.sync_logs],
                       next_cursor=page.next_page_token or None)
