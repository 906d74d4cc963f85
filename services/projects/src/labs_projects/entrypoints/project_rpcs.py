"""Clients and projects, including the lookups other services make: map the request to a
command, one handler, map the result out."""

from __future__ import annotations

from functools import partial

from labs.projects.v1 import projects_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_common.pagination import after_creation, page_size
from labs_common.parsing import optional_uuid, uuid_of
from labs_projects.adapters import proto
from labs_projects.domain import commands
from labs_projects.domain.rules import PROJECT_FIELD_NAMES
from labs_projects.entrypoints.requests import project_fields
from labs_projects.service_layer import clients, projects
from labs_projects.service_layer.members import ask_members


class ProjectRpcs:
    """RPCs of ProjectsServicer (a mixin: it relies on the servicer's `_handle` and adapters)."""

    # --- projects for other services --------------------------------------------------------

    async def GetProject(self, request, context) -> pb.GetProjectResponse:
        """One project the caller may see, with its budget."""
        return await self._get_one(context, request, projects.get_project, commands.GetProject,
                                   project=proto.project)

    async def ResolveProject(self, request, context) -> pb.ResolveProjectResponse:
        """A project by name (for imports), created when asked and missing."""
        command = commands.ResolveProject(request.name, request.create_missing)
        return await self._handle(
            context, request, projects.resolve_project, command,
            lambda found: pb.ResolveProjectResponse(
                project=proto.project(found[0]), created=found[1]),
        )

    # --- clients ----------------------------------------------------------------------------

    async def CreateClient(self, request, context) -> pb.CreateClientResponse:
        """Adds a customer of the agency (managers and up)."""
        command = commands.CreateClient(request.name, request.email, request.currency)
        return await self._handle(context, request, clients.create_client, command,
                                  client=proto.client)

    async def ListClients(self, request, context) -> pb.ListClientsResponse:
        """The org's clients, newest first, a page at a time."""
        limit = page_size(request.page_size)
        command = commands.ListClients(after_creation(request.page_token), limit + 1,
                                       request.q, request.include_archived)
        return await self._handle_page(
            context, request, clients.list_clients, command, limit, clients=proto.client)

    async def GetClient(self, request, context) -> pb.GetClientResponse:
        """One client the caller may see."""
        return await self._get_one(context, request, clients.get_client, commands.GetClient,
                                   client=proto.client)

    async def UpdateClient(self, request, context) -> pb.UpdateClientResponse:
        """Changes what the update mask names, if the etag still matches."""
        command = commands.UpdateClient(
            client_id=uuid_of(request.id, "id"),
            changes={path: getattr(request.client, path, "") for path in request.update_mask.paths},
            if_match=list(request.if_match_etags),
        )
        return await self._handle(context, request, clients.update_client, command,
                                  client=proto.client)

    async def DeleteClient(self, request, context) -> pb.DeleteClientResponse:
        """Archives a client (its history stays)."""
        command = commands.ArchiveClient(uuid_of(request.id, "id"))
        return await self._handle(context, request, clients.archive_client, command)

    # --- projects ---------------------------------------------------------------------------

    async def CreateProject(self, request, context) -> pb.CreateProjectResponse:
        """Adds a project, for a client by id or by name (created when new)."""
        command = commands.CreateProject(
            project_fields(request.project, PROJECT_FIELD_NAMES), request.client_name)
        # Identity is asked before the transaction opens.
        members = await ask_members(self._members, request.project.project_manager_id)
        return await self._handle(
            context, request, partial(projects.create_project, members=members), command,
            project=proto.project,
        )

    async def ListProjects(self, request, context) -> pb.ListProjectsResponse:
        """The projects the caller may see, newest first, filtered, a page at a time."""
        limit = page_size(request.page_size)
        status = proto.PROJECT_STATUS.get(request.status) if request.status else None
        if request.status and status is None:
            raise InvalidArgument.on("status", "is not a project status")
        command = commands.ListProjects(
            after=after_creation(request.page_token), limit=limit + 1, status=status,
            client_id=optional_uuid(request.client_id, "client_id"), q=request.q,
        )
        return await self._handle_page(
            context, request, projects.list_projects, command, limit, projects=proto.project)

    async def UpdateProject(self, request, context) -> pb.UpdateProjectResponse:
        """Changes what the update mask names (status by the workflow), if the etag matches."""
        command = commands.UpdateProject(
            project_id=uuid_of(request.id, "id"),
            fields=project_fields(request.project, list(request.update_mask.paths),
                                  keep_empty=True),
            if_match=list(request.if_match_etags),
        )
        members = await ask_members(self._members, request.project.project_manager_id)
        return await self._handle(
            context, request, partial(projects.update_project, members=members), command,
            project=proto.project,
        )

    async def DeleteProject(self, request, context) -> pb.DeleteProjectResponse:
        """Archives a project."""
        command = commands.ArchiveProject(uuid_of(request.id, "id"))
        return await self._handle(context, request, projects.archive_project, command)
