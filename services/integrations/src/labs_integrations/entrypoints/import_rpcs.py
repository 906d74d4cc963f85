"""StartImport: checked before any transaction (the connection and source, then the project,
asked of the projects service as the caller, so a project they cannot see is named at once),
then queued in one transaction; the sync worker is woken to run it."""

from __future__ import annotations

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs_common.auth.principal import current_principal
from labs_common.auth.roles import Role
from labs_common.db.uow import Scope
from labs_common.errors import InvalidArgument
from labs_common.grpc.status import remote_lookup
from labs_common.parsing import uuid_of
from labs_integrations.domain import commands
from labs_integrations.service_layer import task_imports


class ImportRpcs:
    """RPCs of IntegrationsServicer (a mixin: it relies on the servicer's `_handle`, `_uow`,
    `_wake` and `_projects`, a ProjectsService stub whose calls carry the caller's token)."""

    async def StartImport(self, request, context) -> pb.StartImportResponse:
        principal = current_principal()
        principal.require(Role.ADMIN)
        command = commands.StartImport(uuid_of(request.connection_id, "connection_id"),
                                       uuid_of(request.project_id, "project_id"),
                                       request.source)
        async with self._uow(Scope.of_caller(principal)) as uow:
            await task_imports.importable(command, uow)
        found = await remote_lookup(self._projects.GetProject(
            projects_pb.GetProjectRequest(id=str(command.project_id))))
        if found is None:
            raise InvalidArgument.on("project_id", "no project of this organization has this id")
        response = await self._handle(context, request, task_imports.start_import, command,
                                      job_id=lambda log: str(log.id))
        self._wake("syncs")
        return response
