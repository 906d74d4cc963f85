"""Links of tasks and projects: stored (title empty until the refresher reads it), listed,
deleted. No platform is asked here: the entrypoint asked the projects service where the task or
project is (as the caller, outside any transaction) and the refresher reads the platform after
the answer (service_layer/link_refresh.py)."""

from __future__ import annotations

import uuid

from labs.integrations.v1 import events_pb2
from labs_common.errors import NotFound
from labs_common.grpc.transactions import authorized_by
from labs_integrations.adapters import link_proto
from labs_integrations.domain.link_commands import CreateLink, DeleteLink, ListLinks
from labs_integrations.domain.links import Link, check_editor
from labs_integrations.service_layer.unit_of_work import IntegrationsUnitOfWork


def _editor(caller, _command) -> None:
    check_editor(caller)


@authorized_by(_editor)
async def create_link(command: CreateLink, uow: IntegrationsUnitOfWork) -> tuple[Link, bool]:
    """The new link and True; the same target linked to the same task or project again is
    that link and False (nothing changes, nothing is announced)."""
    target = command.target
    link, created = await uow.links.add(Link(
        id=uuid.uuid4(), org_id=uow.caller.org_id, project_id=command.project_id,
        task_id=command.task_id, platform=target.platform, target_key=target.key,
        url=target.url, created_by=uow.caller.user_id))
    if created:
        await uow.outbox.add("link.created", events_pb2.LinkChanged(link=link_proto.link(link)),
                             project_id=link.project_id)
    return link, created


async def list_links(command: ListLinks, uow: IntegrationsUnitOfWork) -> list[Link]:
    """Up to `limit` + 1 links, oldest first (the extra one says another page follows)."""
    return await uow.links.of(command.project_id, command.task_id, command.after,
                              command.limit)


@authorized_by(_editor)
async def delete_link(command: DeleteLink, uow: IntegrationsUnitOfWork) -> None:
    removed = await uow.links.delete(command.link_id)
    if removed is None:
        raise NotFound("No such link.")
    await uow.outbox.add("link.deleted", events_pb2.LinkChanged(link=link_proto.link(removed)),
                         project_id=removed.project_id)


async def forget_task(task_id: uuid.UUID, uow: IntegrationsUnitOfWork) -> int:
    """A deleted task's links go with it (nobody can read them, nothing should read them
    again)."""
    return await uow.links.delete_of_task(task_id)
