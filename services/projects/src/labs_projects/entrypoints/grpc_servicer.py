"""labs.projects.v1.ProjectsService: map the request in, run one handler in one transaction,
map the result out. Errors are LabsErrors, turned into gRPC status by the error interceptor.
The RPCs live in mixins by area (project_rpcs, work_rpcs, content_rpcs)."""

from __future__ import annotations

from collections.abc import Callable

from labs.projects.v1 import projects_service_pb2_grpc as pb_grpc
from labs_common.db.uow import Scope
from labs_common.grpc.transactions import TransactionalRpcs
from labs_projects.adapters.object_storage import ObjectStorage
from labs_projects.entrypoints.content_rpcs import ContentRpcs
from labs_projects.entrypoints.project_rpcs import ProjectRpcs
from labs_projects.entrypoints.work_rpcs import WorkRpcs
from labs_projects.service_layer import files
from labs_projects.service_layer.members import MemberDirectory
from labs_projects.service_layer.unit_of_work import ProjectsUnitOfWork

UowFactory = Callable[[Scope], ProjectsUnitOfWork]


class ProjectsServicer(ProjectRpcs, WorkRpcs, ContentRpcs, TransactionalRpcs,
                       pb_grpc.ProjectsServiceServicer):
    def __init__(self, uow: UowFactory, members: MemberDirectory, storage: ObjectStorage,
                 limits: files.UploadLimits) -> None:
        self._uow = uow
        self._members = members
        self._storage = storage
        self._limits = limits

