"""Asking the projects service whether a project exists in the caller's org."""

from __future__ import annotations

import uuid

import grpc

from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs.projects.v1 import projects_service_pb2_grpc as projects_grpc
from labs_common.errors import InvalidArgument
from labs_common.grpc.status import remote_lookup


class GrpcProjectCheck:
    """The channel forwards the caller's token, so projects answers for the caller's org only."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = projects_grpc.ProjectsServiceStub(channel)

    async def __call__(self, project_id: uuid.UUID) -> None:
        request = projects_pb.GetProjectRequest(id=str(project_id))
        found = await remote_lookup(self._stub.GetProject(request))
        if found is None:
            raise InvalidArgument.on("project_id", "no such project in this organization")
        if found.project.status == projects_pb.PROJECT_STATUS_ARCHIVED:
            raise InvalidArgument.on("project_id", "the project is archived")
