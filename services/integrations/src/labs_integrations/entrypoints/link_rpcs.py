"""Links' RPCs of IntegrationsService (a mixin of IntegrationsServicer). Where the task or
project is, and whether the caller may see it, is asked of the projects service as the caller
before any transaction opens (a client sees only its client's projects; another org's task is
not found); then the role (members and up link), then the URL; one handler in one transaction.
The platform is read after the answer, by the link refresher this replica wakes."""

from __future__ import annotations

import uuid

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs_common.auth.principal import current_principal
from labs_common.auth.roles import Role
from labs_common.db.uow import Scope
from labs_common.errors import InvalidArgument, NotFound, PermissionDenied
from labs_common.grpc.status import remote_lookup
from labs_common.pagination import after_creation, page_size
from labs_common.parsing import object_id
from labs_integrations.adapters import link_proto
from labs_integrations.domain.link_commands import CreateLink, DeleteLink, ListLinks
from labs_integrations.domain.links import check_editor, target_of
from labs_integrations.service_layer import links
from labs_integrations.service_layer.link_refresh import LINK_REFRESH_SWEEPER


class LinkRpcs:
    """Needs the servicer's `_projects` (a ProjectsService stub whose calls carry the caller's
    token), `_uow`, `_handle` and `_wake`."""

    async def _place(self, task_id: str, project_id: str) -> tuple[uuid.UUID, uuid.UUID | None]:
        """The project and task a link is of, as the caller may see them."""
        if bool(task_id) == bool(project_id):
            raise InvalidArgument.on("task_id", "give exactly one of task_id and project_id")
        if task_id:
            task = object_id(task_id, "task")
            found = await remote_lookup(self._projects.GetTask(  # type: ignore[attr-defined]
                projects_pb.GetTaskRequest(id=str(task))))
            if found is None:
                raise NotFound("No such task.")
            return uuid.UUID(found.task.project_id), task
        project = await self._visible_project(object_id(project_id, "project"))
        if project is None:
            raise NotFound("No such project.")
        return project, None

    async def _visible_project(self, project_id: uuid.UUID) -> uuid.UUID | None:
        found = await remote_lookup(self._projects.GetProject(  # type: ignore[attr-defined]
            projects_pb.GetProjectRequest(id=str(project_id))))
        return project_id if found is not None else None

    async def CreateLink(self, request, context) -> pb.CreateLinkResponse:
        project_id, task_id = await self._place(request.task_id, request.project_id)
        check_editor(current_principal())
        command = CreateLink(project_id=project_id, task_id=task_id,
                             target=target_of(request.url))
        response = await self._handle(  # type: ignore[attr-defined]
            context, request, links.create_link, command,
            lambda found: pb.CreateLinkResponse(link=link_proto.link(found[0]),
                                                created=found[1]))
        if response.created:
            self._wake(LINK_REFRESH_SWEEPER)  # type: ignore[attr-defined]
        return response

    async def ListLinks(self, request, context) -> pb.ListLinksResponse:
        project_id, task_id = await self._place(request.task_id, request.project_id)
        limit = page_size(request.page_size)
        command = ListLinks(project_id=project_id, task_id=task_id,
                            after=after_creation(request.page_token), limit=limit)
        return await self._handle_page(  # type: ignore[attr-defined]
            context, request, links.list_links, command, limit, links=link_proto.link)

    async def DeleteLink(self, request, context) -> pb.DeleteLinkResponse:
        link_id = object_id(request.id, "link")
        principal = current_principal()
        try:
            check_editor(principal)
        except PermissionDenied:
            # 403 only about a link the caller could see: another org's, or one of a project
            # a client may not see, is not found.
            async with self._uow(Scope.of_caller(principal)) as uow:  # type: ignore[attr-defined]
                link = await uow.links.get(link_id)
            if link is None or (principal.role is Role.CLIENT and
                                await self._visible_project(link.project_id) is None):
                raise NotFound("No such link.") from None
            raise
        await self._handle(context, request, links.delete_link,  # type: ignore[attr-defined]
                           DeleteLink(link_id))
        return pb.DeleteLinkResponse()
