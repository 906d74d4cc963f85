"""Connections: listed, authorized (OAuth state spent once), stored with their credentials sealed,
their settings changed (a Figma team changed makes its webhooks due to move), deleted
(credentials destroyed, revoked at the platform afterwards).

The platform is never called inside a transaction: the servicer asks it first (who a token is,
what a code is worth) and hands the answer in; revocation waits in the row for a sweeper.

`credentials(uow, vault, platform)` is how the other slices get a platform's token."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from datetime import UTC, datetime

from labs.integrations.v1 import events_pb2
from labs_common.auth.roles import Role
from labs_common.errors import FieldError, InvalidArgument, NotFound
from labs_integrations.adapters import proto
from labs_integrations.adapters.vault import Vault, aad
from labs_integrations.domain import commands, linear
from labs_integrations.domain.connections import (
    OAUTH_STATE_LIFETIME,
    Connection,
    ConnectionStatus,
    Credentials,
    Platform,
    SyncLog,
    SyncStatus,
    check_settings,
)
from labs_integrations.service_layer.unit_of_work import IntegrationsUnitOfWork

CREDENTIALS = "credentials"
SYNC_STATUS_AFTER_ERRORS = 20


def state_hash(state: str) -> bytes:
    return hashlib.sha256(state.encode()).digest()


def seal(vault: Vault, connection: Connection, secret: dict) -> bytes:
    return vault.seal(json.dumps(secret).encode(), aad(connection.org_id, connection.id,
                                                       CREDENTIALS))


def open_secret(vault: Vault, connection: Connection, sealed: bytes) -> dict:
    return json.loads(vault.open(sealed, aad(connection.org_id, connection.id, CREDENTIALS)))


async def credentials(uow: IntegrationsUnitOfWork, vault: Vault, platform: Platform
                      ) -> Credentials | None:
    """The org's live connection to `platform` with its credentials opened, else None."""
    found = await uow.connections.of_platform(platform)
    if found is None:
        return None
    connection, sealed = found
    return Credentials(connection, open_secret(vault, connection, sealed))


async def _connection(uow: IntegrationsUnitOfWork, connection_id: uuid.UUID, *,
                      lock: bool = False) -> Connection:
    connection = await uow.connections.get(connection_id, lock=lock)
    if connection is None:
        raise NotFound("No such connection.")
    return connection


async def list_connections(_: commands.ListConnections, uow: IntegrationsUnitOfWork
                           ) -> list[Connection]:
    uow.caller.require(Role.MANAGER)
    return await uow.connections.list()


async def start_authorization(command: commands.StartAuthorization, uow: IntegrationsUnitOfWork,
                              *, auth_url) -> tuple[str, str]:
    """The platform's authorization URL and its state, kept hashed until the callback spends
    it. `auth_url(state, redirect_url)` is the platform's side."""
    uow.caller.require(Role.ADMIN)
    state = secrets.token_urlsafe(32)
    await uow.oauth_states.add(command.platform, state_hash(state), command.redirect_url,
                               uow.caller.user_id, datetime.now(UTC) + OAUTH_STATE_LIFETIME)
    return auth_url(state, command.redirect_url), state


async def spend_state(command: commands.SpendState, uow: IntegrationsUnitOfWork) -> str:
    """The redirect URL the state was issued for; an unknown, used or expired state is a 422."""
    uow.caller.require(Role.ADMIN)
    redirect_url = await uow.oauth_states.use(command.platform, state_hash(command.state),
                                              datetime.now(UTC))
    if redirect_url is None:
        raise InvalidArgument.on("state", "unknown, already used or expired; start again")
    return redirect_url


async def connect(command: commands.Connect, uow: IntegrationsUnitOfWork, *, vault: Vault
                  ) -> Connection:
    """Stores the platform's credentials; connecting a platform again replaces them (and who
    connected it)."""
    uow.caller.require(Role.ADMIN)
    now = datetime.now(UTC)
    found = await uow.connections.of_platform(command.platform, lock=True)
    existing = found[0] if found else None
    connection = existing or Connection(
        id=uuid.uuid4(), org_id=uow.caller.org_id, platform=command.platform,
        status=ConnectionStatus.CONNECTED, account_name=command.account.name,
        external_account_id=command.account.external_id, settings={},
        connected_by=uow.caller.user_id, connected_at=now, next_sync_at=now)
    connection.account_name = command.account.name
    connection.external_account_id = command.account.external_id
    connection.status = ConnectionStatus.CONNECTED
    connection.connected_by = uow.caller.user_id
    connection.connected_at = now
    sealed = seal(vault, connection, command.secret)
    if existing is None:
        await uow.connections.add(connection, sealed, vault.current_key_id)
    else:
        await uow.connections.replace_credentials(connection, sealed, vault.current_key_id)
    await uow.outbox.add("connection.created" if existing is None else "connection.updated",
                         events_pb2.ConnectionChanged(connection=proto.connection(connection)))
    return connection


async def update_settings(command: commands.UpdateSettings, uow: IntegrationsUnitOfWork
                          ) -> Connection:
    uow.caller.require(Role.ADMIN)
    connection = await _connection(uow, command.connection_id, lock=True)
    before = connection.settings
    connection.settings = check_settings(connection.platform, command.settings, command.size)
    if connection.platform is Platform.LINEAR:
        await _check_linear_projects(uow, connection.settings)
    if connection.platform is Platform.FIGMA and connection.settings != before:
        # Its only setting is the team: the keeper moves the webhooks, after this commits (the
        # request never calls Figma).
        await uow.figma_hooks.team_changed(connection.id)
    await uow.connections.save_settings(connection.id, connection.settings)
    await uow.outbox.add("connection.updated",
                         events_pb2.ConnectionChanged(connection=proto.connection(connection)))
    return connection


async def _check_linear_projects(uow: IntegrationsUnitOfWork, settings: dict) -> None:
    """Every Labs project Linear's settings name is a live project of the caller's org (the
    read model of projects): another org's, or one that does not exist, is named in a 422."""
    wrong = []
    for field, project_id in linear.mapped_projects(settings).items():
        project = await uow.known_projects.get(project_id)
        if project is None or project.org_id != uow.caller.org_id or project.archived:
            wrong.append(FieldError(field, "no live project of this organization has this id"))
    if wrong:
        raise InvalidArgument("Some Linear settings name projects Labs cannot use.",
                              field_errors=wrong)


async def delete_connection(command: commands.DeleteConnection, uow: IntegrationsUnitOfWork,
                            *, revocable: frozenset[Platform]) -> None:
    uow.caller.require(Role.ADMIN)
    connection = await _connection(uow, command.connection_id, lock=True)
    await uow.connections.delete(connection.id, revoke=connection.platform in revocable)
    await uow.outbox.add("connection.deleted", events_pb2.ConnectionDeleted(
        connection_id=str(connection.id), platform=proto.PLATFORMS.to_proto(connection.platform)))


async def start_sync(command: commands.StartSync, uow: IntegrationsUnitOfWork,
                     *, trigger: str = "manual") -> SyncLog:
    """Queues a sync (the sync worker runs it); one already queued or running is the answer."""
    uow.caller.require(Role.ADMIN)
    connection = await _connection(uow, command.connection_id, lock=True)
    return await queue_sync(uow, connection, trigger)


async def queue_sync(uow: IntegrationsUnitOfWork, connection: Connection, trigger: str
                     ) -> SyncLog:
    running = await uow.sync_logs.running(connection.id)
    if running is not None:
        return running
    return await uow.sync_logs.add(SyncLog(
        id=uuid.uuid4(), org_id=connection.org_id, connection_id=connection.id, trigger=trigger,
        status=SyncStatus.IN_PROGRESS))


async def sync_status(command: commands.GetSyncStatus, uow: IntegrationsUnitOfWork
                      ) -> tuple[SyncLog | None, Connection]:
    uow.caller.require(Role.MANAGER)
    connection = await _connection(uow, command.connection_id)
    return await uow.sync_logs.latest(connection.id), connection


async def list_sync_logs(command: commands.ListSyncLogs, uow: IntegrationsUnitOfWork
                         ) -> list[SyncLog]:
    uow.caller.require(Role.MANAGER)
    await _connection(uow, command.connection_id)
    return await uow.sync_logs.page(command.connection_id, command.after, command.limit)
