"""Who may join a project room.

Events are already scoped to the socket's organization, so for staff a room only narrows what
they see. A client-role user, though, may see only its own client's projects: the projects
service, asked with the user's own token, is the judge (it answers NOT_FOUND otherwise).
"""

from __future__ import annotations

import grpc

from labs.projects.v1 import projects_service_pb2 as pb
from labs.projects.v1.projects_service_pb2_grpc import ProjectsServiceStub
from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_gateway.upstream import Caller, Upstream, calling_as, rpc_failure

_NOT_VISIBLE = {grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT}


class RoomAccess:
    def __init__(self, upstream: Upstream) -> None:
        self._upstream = upstream

    async def may_join(self, principal: Principal, project_id: str) -> bool:
        if principal.role is not Role.CLIENT:
            return True
        projects = self._upstream.stub("projects", ProjectsServiceStub)
        try:
            with calling_as(Caller(principal)):
                await projects.GetProject(pb.GetProjectRequest(id=project_id))
        except grpc.aio.AioRpcError as error:
            if error.code() in _NOT_VISIBLE:
                return False
            raise rpc_failure(error) from error
        return True

    async def client_projects(self, principal: Principal) -> set[str]:
        """Every project of a client-role user's client (projects filters by the caller's token)."""
        projects = self._upstream.stub("projects", ProjectsServiceStub)
        found: set[str] = set()
        page_token = ""
        while True:
            try:
                with calling_as(Caller(principal)):
                    answer = await projects.ListProjects(
                        pb.ListProjectsRequest(page_size=500, page_token=page_token))
            except grpc.aio.AioRpcError as error:
                raise rpc_failure(error) from error
            found.update(project.id for project in answer.projects)
            page_token = answer.next_page_token
            if not page_token:
                return found
