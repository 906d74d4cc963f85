"""Imports asked for: `POST /integrations/{id}/import` queues one as a sync log with the trigger
"import" (its id is the job id) and a `task_imports` row saying what to import where; the sync
worker runs it (service_layer/import_run.py). The same source into the same project, asked
again while queued or running, is the same job."""

from __future__ import annotations

import uuid

from labs_common.auth.roles import Role
from labs_common.errors import Conflict, NotFound
from labs_integrations.domain import commands
from labs_integrations.domain.connections import Connection, SyncLog, SyncStatus
from labs_integrations.domain.imports import (
    IMPORT_PLATFORMS,
    IMPORT_TRIGGER,
    ImportRequest,
    check_source,
)
from labs_integrations.service_layer.unit_of_work import IntegrationsUnitOfWork


async def importable(command: commands.StartImport, uow: IntegrationsUnitOfWork, *,
                     lock: bool = False) -> tuple[Connection, str]:
    """The connection to import from and the source as it will be asked: another org's
    connection is a 404, one of a platform that has nothing to import a 409, a source the
    platform cannot take a 422 naming `source`."""
    uow.caller.require(Role.ADMIN)
    connection = await uow.connections.get(command.connection_id, lock=lock)
    if connection is None:
        raise NotFound("No such connection.")
    if connection.platform not in IMPORT_PLATFORMS:
        raise Conflict(f"Only Jira and Asana connections import tasks; this one is "
                       f"{connection.platform.value}.", reason="NOT_AN_IMPORT_SOURCE")
    return connection, check_source(connection.platform, command.source)


async def start_import(command: commands.StartImport, uow: IntegrationsUnitOfWork) -> SyncLog:
    connection, source = await importable(command, uow, lock=True)
    pending = await uow.task_imports.pending(connection.id, command.project_id, source)
    if pending is not None and (log := await uow.sync_logs.get(pending)) is not None:
        return log
    log = await uow.sync_logs.add(SyncLog(
        id=uuid.uuid4(), org_id=connection.org_id, connection_id=connection.id,
        trigger=IMPORT_TRIGGER, status=SyncStatus.IN_PROGRESS))
    await uow.task_imports.add(ImportRequest(
        id=log.id, org_id=connection.org_id, connection_id=connection.id,
        project_id=command.project_id, source=source, requested_by=uow.caller.user_id))
    return log
