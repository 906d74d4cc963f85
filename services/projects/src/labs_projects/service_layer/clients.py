"""Clients: the agency's customers. Managers and above write them; DELETE archives."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from labs.projects.v1 import events_pb2
from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import (
    AlreadyExists,
    FieldError,
    NotFound,
)
from labs_common.etag import require_match
from labs_common.field_masks import refuse_unsettable
from labs_projects.adapters import proto
from labs_projects.domain import commands, rules
from labs_projects.domain.model import Client
from labs_projects.service_layer.access import is_client, require_writer
from labs_projects.service_layer.unit_of_work import ProjectsUnitOfWork

UPDATABLE_FIELDS = frozenset({"name", "email", "currency"})


async def create_client(
    command: commands.CreateClient, uow: ProjectsUnitOfWork
) -> Client:
    principal = uow.caller
    require_writer(principal, Role.MANAGER, "client")
    client = Client(
        id=uuid.uuid4(),
        org_id=principal.org_id,
        name=rules.check_name(command.name),
        email=rules.check_email(command.email),
        currency=rules.check_currency(command.currency),
    )
    return await add_client(uow, client)


async def add_client(uow: ProjectsUnitOfWork, client: Client) -> Client:
    await uow.clients.lock_name(client.name)
    if await uow.clients.by_name(client.name):
        raise AlreadyExists(
            f"A client named {client.name} already exists.",
            reason="CLIENT_NAME_TAKEN",
            field_errors=[FieldError("name", "is already used by another client")],
        )
    client = await uow.clients.add(client)
    await uow.outbox.add("client.created", events_pb2.ClientCreated(client=proto.client(client)))
    return client


async def list_clients(
    command: commands.ListClients, uow: ProjectsUnitOfWork
) -> list[Client]:
    principal = uow.caller
    q = command.q
    q = rules.check_storable(q, "q")
    only = None
    if is_client(principal):
        if principal.client_id is None:
            return []
        only = principal.client_id
    return await uow.clients.page(
        command.after, command.limit, q=q.strip(), include_archived=command.include_archived,
        only_id=only,
    )


async def load_client(
    uow: ProjectsUnitOfWork, principal: Principal, client_id: uuid.UUID, *, for_update=False
) -> Client:
    client = await uow.clients.get(client_id, for_update=for_update)
    if client is None or (is_client(principal) and principal.client_id != client.id):
        raise NotFound("No such client.")
    return client


async def get_client(command: commands.GetClient, uow: ProjectsUnitOfWork) -> Client:
    return await load_client(uow, uow.caller, command.id)


async def update_client(
    command: commands.UpdateClient, uow: ProjectsUnitOfWork
) -> Client:
    principal, changes = uow.caller, command.changes
    require_writer(principal, Role.MANAGER, "client")
    refuse_unsettable(changes, UPDATABLE_FIELDS)
    client = await load_client(uow, principal, command.client_id, for_update=True)
    require_match(client.etag, command.if_match, "client")
    changed = []
    if "name" in changes:
        name = rules.check_name(changes["name"])
        if name.lower() != client.name.lower():
            await uow.clients.lock_name(name)
            if await uow.clients.by_name(name):
                raise AlreadyExists(
                    f"A client named {name} already exists.",
                    reason="CLIENT_NAME_TAKEN",
                    field_errors=[FieldError("name", "is already used by another client")],
                )
        if name != client.name:
            client.name, changed = name, [*changed, "name"]
    if "email" in changes and (email := rules.check_email(changes["email"])) != client.email:
        client.email, changed = email, [*changed, "email"]
    if "currency" in changes and (
        currency := rules.check_currency(changes["currency"])
    ) != client.currency:
        client.currency, changed = currency, [*changed, "currency"]
    if not changed:
        return client
    client = await uow.clients.save(client)
    await uow.outbox.add(
        "client.updated",
        events_pb2.ClientUpdated(client=proto.client(client), changed_fields=changed),
    )
    return client


async def archive_client(
    command: commands.ArchiveClient, uow: ProjectsUnitOfWork
):
    principal = uow.caller
    require_writer(principal, Role.MANAGER, "client")
    client = await load_client(uow, principal, command.id, for_update=True)
    if client.archived_at is not None:
        return
    client.archived_at = datetime.now(UTC)
    client = await uow.clients.save(client)
    await uow.outbox.add("client.archived", events_pb2.ClientArchived(client=proto.client(client)))


