"""Connections and syncs: map the request to a command, ask the platform what it must vouch for
before any transaction opens, one handler in one transaction, map the result out."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from google.protobuf.json_format import MessageToDict

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs_common.auth.principal import current_principal
from labs_common.auth.roles import Role
from labs_common.db.uow import Scope
from labs_common.errors import Conflict, InvalidArgument
from labs_common.field_masks import refuse_unsettable
from labs_common.pagination import after_creation, page_size
from labs_common.parsing import uuid_of
from labs_integrations.adapters import proto
from labs_integrations.adapters.platforms import PlatformSide
from labs_integrations.domain import commands
from labs_integrations.domain.connections import (
    ONE_ORG_PER_ACCOUNT,
    Account,
    Platform,
    check_redirect_url,
    check_token,
)
from labs_integrations.service_layer import connections


class ConnectionRpcs:
    """RPCs of IntegrationsServicer (a mixin: it relies on the servicer's `_handle`, `_uow`,
    `_vault` and `_platforms`)."""

    _platforms: dict[Platform, PlatformSide]

    def _side(self, value: int) -> PlatformSide:
        platform = proto.PLATFORMS.parse(value, "platform")
        side = self._platforms.get(platform)
        if side is None:
            raise InvalidArgument.on("platform", f"{platform.value} cannot be connected yet")
        return side

    async def _connect(self, context, request, platform: Platform, account: Account,
                       secret: dict):
        """Stores what the platform vouched for. A Slack workspace belongs to one organization:
        its slash commands must know whose member runs them."""
        if platform in ONE_ORG_PER_ACCOUNT:
            org_id = current_principal().org_id
            async with self._uow(Scope.of_system()) as uow:
                holders = await uow.connections.by_account(platform, account.external_id)
            if any(holder.org_id != org_id for holder in holders):
                raise Conflict(f"This {platform.value} account is connected to another Labs "
                               "organization; disconnect it there first.",
                               reason="ACCOUNT_CONNECTED_ELSEWHERE")
        return await self._handle(
            context, request, partial(connections.connect, vault=self._vault),
            commands.Connect(platform, account, secret), connection=proto.connection)

    async def ListConnections(self, request, context) -> pb.ListConnectionsResponse:
        return await self._handle(
            context, request, connections.list_connections, commands.ListConnections(),
            lambda found: pb.ListConnectionsResponse(
                connections=[proto.connection(c) for c in found]))

    async def StartAuthorization(self, request, context) -> pb.StartAuthorizationResponse:
        side = self._side(request.platform)
        command = commands.StartAuthorization(side.platform,
                                              check_redirect_url(request.redirect_url))
        return await self._handle(
            context, request, partial(connections.start_authorization,
                                      auth_url=side.authorization_url), command,
            lambda found: pb.StartAuthorizationResponse(auth_url=found[0], state=found[1]))

    async def CompleteAuthorization(self, request, context) -> pb.CompleteAuthorizationResponse:
        side = self._side(request.platform)
        if not request.code:
            raise InvalidArgument.on("code", "the code the platform sent back is required")
        if not request.state:
            raise InvalidArgument.on("state", "the state of the authorization is required")
        principal = current_principal()
        principal.require(Role.ADMIN)
        # Spent first, in a transaction of its own: a state works once, whatever follows.
        async with self._uow(Scope.of_caller(principal)) as uow:
            redirect_url = await connections.spend_state(
                commands.SpendState(side.platform, request.state), uow)
            await uow.commit()
        secret = {**await side.exchange(request.code, redirect_url), "kind": "oauth"}
        if request.account_id:
            # Named on the redirect, not in the token answer (Intuit's realmId): identify()
            # reads that account with the new token, so a wrong one is refused there.
            secret.setdefault("account_id", request.account_id)
        account = await side.identify(secret)
        return await self._connect(context, request, side.platform, account, secret)

    async def ConnectWithToken(self, request, context) -> pb.ConnectWithTokenResponse:
        side = self._side(request.platform)
        current_principal().require(Role.ADMIN)  # before the platform hears the token
        field = "access_token" if request.access_token or not request.api_key else "api_key"
        # `given_as`: which field carried it (Linear sends an API key and a token differently,
        # and a refusal names the field the caller used).
        secret = {"access_token": check_token(request.access_token or request.api_key, field),
                  "kind": "token", "given_as": field}
        if request.account_id:
            # Sent to the platform in a header, like the token: printable ASCII only.
            secret["account_id"] = check_token(request.account_id, "account_id")
        account = await side.identify(secret)
        return await self._connect(context, request, side.platform, account, secret)

    async def UpdateConnection(self, request, context) -> pb.UpdateConnectionResponse:
        connection_id = uuid_of(request.connection_id, "connection_id")
        paths = set(request.update_mask.paths) or {"settings"}
        refuse_unsettable(paths, {"settings"})
        command = commands.UpdateSettings(connection_id,
                                          MessageToDict(request.connection.settings),
                                          request.connection.settings.ByteSize())
        return await self._handle(context, request, connections.update_settings, command,
                                  connection=proto.connection)

    async def DeleteConnection(self, request, context) -> pb.DeleteConnectionResponse:
        command = commands.DeleteConnection(uuid_of(request.connection_id, "connection_id"))
        await self._handle(context, request, partial(
            connections.delete_connection, revocable=frozenset(self._platforms)), command)
        self._wake("revocations")
        return pb.DeleteConnectionResponse()

    async def StartSync(self, request, context) -> pb.StartSyncResponse:
        command = commands.StartSync(uuid_of(request.connection_id, "connection_id"))
        response = await self._handle(context, request, connections.start_sync, command,
                                      job_id=lambda log: str(log.id))
        self._wake("syncs")
        return response

    async def GetSyncStatus(self, request, context) -> pb.GetSyncStatusResponse:
        command = commands.GetSyncStatus(uuid_of(request.connection_id, "connection_id"))

        def respond(found) -> pb.GetSyncStatusResponse:
            log, connection = found
            minutes = 0
            if connection.next_sync_at is not None and (log is None or log.finished_at):
                seconds = (connection.next_sync_at - datetime.now(UTC)).total_seconds()
                minutes = max(0, int(seconds // 60))
            if log is None:
                return pb.GetSyncStatusResponse(next_sync_in_minutes=minutes)
            return pb.GetSyncStatusResponse(
                status=proto.SYNC_STATUSES.to_proto(log.status),
                records_synced=log.records_synced, errors=log.errors,
                next_sync_in_minutes=minutes)

        return await self._handle(context, request, connections.sync_status, command, respond)

    async def ListSyncLogs(self, request, context) -> pb.ListSyncLogsResponse:
        command = commands.ListSyncLogs(uuid_of(request.connection_id, "connection_id"),
                                        after_creation(request.page_token),
                                        page_size(request.page_size))
        return await self._handle_page(context, request, connections.list_sync_logs, command,
                                       command.limit,
                                       sync_logs=proto.sync_log)
