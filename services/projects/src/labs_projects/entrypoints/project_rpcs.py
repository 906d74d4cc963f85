"""The lookups other services make, clients and projects: map in, one handler in one
transaction, map out."""

from __future__ import annotations

from labs.projects.v1 import projects_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_common.pagination import after_creation, next_page_token, page_size
from labs_common.parsing import uuid_of
from labs_projects.adapters import proto
from labs_projects.entrypoints.requests import project_fields
from labs_projects.service_layer import (
    clients,
    projects,
)


class ProjectRpcs:
    """RPCs of ProjectsServicer (a mixin: it relies on the servicer's `_tenant` and adapters)."""

    # --- projects for other services --------------------------------------------------------

    async def GetProject(self, request, context) -> pb.GetProjectResponse:
        project_id = uuid_of(request.id, "id")

        async def work(uow, principal):
            project = await projects.get_project(uow, principal, project_id)
            return pb.GetProjectResponse(project=proto.project(project))

        return await self._tenant(context, request, pb.GetProjectResponse, work)

    async def ResolveProject(self, request, context) -> pb.ResolveProjectResponse:
        async def work(uow, principal):
            project, created = await projects.resolve_project(
                uow, principal, name=request.name, create_missing=request.create_missing
            )
            return pb.ResolveProjectResponse(project=proto.project(project), created=created)

        return await self._tenant(context, request, pb.ResolveProjectResponse, work)

    # --- clients ----------------------------------------------------------------------------

    async def CreateClient(self, request, context) -> pb.CreateClientResponse:
        async def work(uow, principal):
            client = await clients.create_client(
                uow, principal, name=request.name, email=request.email, currency=request.currency
            )
            return pb.CreateClientResponse(client=proto.client(client))

        return await self._tenant(context, request, pb.CreateClientResponse, work)

    async def ListClients(self, request, context) -> pb.ListClientsResponse:
        limit = page_size(request.page_size)
        after = after_creation(request.page_token)

        async def work(uow, principal):
            found = await clients.list_clients(
                uow, principal, after, limit + 1, q=request.q,
                include_archived=request.include_archived,
            )
            return pb.ListClientsResponse(
                clients=[proto.client(c) for c in found[:limit]],
                next_page_token=next_page_token(found, limit),
            )

        return await self._tenant(context, request, pb.ListClientsResponse, work)

    async def GetClient(self, request, context) -> pb.GetClientResponse:
        client_id = uuid_of(request.id, "id")

        async def work(uow, principal):
            client = await clients.get_client(uow, principal, client_id)
            return pb.GetClientResponse(client=proto.client(client))

        return await self._tenant(context, request, pb.GetClientResponse, work)

    async def UpdateClient(self, request, context) -> pb.UpdateClientResponse:
        client_id = uuid_of(request.id, "id")
        changes = {path: getattr(request.client, path, "") for path in request.update_mask.paths}

        async def work(uow, principal):
            client = await clients.update_client(
                uow, principal, client_id, changes=changes,
                if_match=list(request.if_match_etags),
            )
            return pb.UpdateClientResponse(client=proto.client(client))

        return await self._tenant(context, request, pb.UpdateClientResponse, work)

    async def DeleteClient(self, request, context) -> pb.DeleteClientResponse:
        client_id = uuid_of(request.id, "id")

        async def work(uow, principal):
            await clients.archive_client(uow, principal, client_id)
            return pb.DeleteClientResponse()

        return await self._tenant(context, request, pb.DeleteClientResponse, work)

    # --- projects ---------------------------------------------------------------------------

    async def CreateProject(self, request, context) -> pb.CreateProjectResponse:
        fields = project_fields(request.project, proto.PROJECT_FIELD_NAMES)

        async def work(uow, principal):
            project = await projects.create_project(
                uow, principal, self._members, fields=fields, client_name=request.client_name
            )
            return pb.CreateProjectResponse(project=proto.project(project))

        return await self._tenant(context, request, pb.CreateProjectResponse, work)

    async def ListProjects(self, request, context) -> pb.ListProjectsResponse:
        limit = page_size(request.page_size)
        after = after_creation(request.page_token)
        status = proto.PROJECT_STATUS.get(request.status) if request.status else None
        if request.status and status is None:
            raise InvalidArgument.on("status", "is not a project status")
        client_id = uuid_of(request.client_id, "client_id") if request.client_id else None

        async def work(uow, principal):
            found = await projects.list_projects(
                uow, principal, after, limit + 1, status=status, client_id=client_id,
                q=request.q,
            )
            return pb.ListProjectsResponse(
                projects=[proto.project(p) for p in found[:limit]],
                next_page_token=next_page_token(found, limit),
            )

        return await self._tenant(context, request, pb.ListProjectsResponse, work)

    async def UpdateProject(self, request, context) -> pb.UpdateProjectResponse:
        project_id = uuid_of(request.id, "id")
        fields = project_fields(request.project, list(request.update_mask.paths), keep_empty=True)

        async def work(uow, principal):
            project = await projects.update_project(
                uow, principal, self._members, project_id, fields=fields,
                if_match=list(request.if_match_etags),
            )
            return pb.UpdateProjectResponse(project=proto.project(project))

        return await self._tenant(context, request, pb.UpdateProjectResponse, work)

    async def DeleteProject(self, request, context) -> pb.DeleteProjectResponse:
        project_id = uuid_of(request.id, "id")

        async def work(uow, principal):
            await projects.archive_project(uow, principal, project_id)
            return pb.DeleteProjectResponse()

        return await self._tenant(context, request, pb.DeleteProjectResponse, work)

