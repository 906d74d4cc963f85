"""labs.projects.v1.ProjectsService: map the request in, run one handler in one transaction,
map the result out. Errors are LabsErrors, turned into gRPC status by the error interceptor."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

from labs.projects.v1 import projects_service_pb2 as pb
from labs.projects.v1 import projects_service_pb2_grpc as pb_grpc
from labs_common.auth.principal import current_principal
from labs_common.db.uow import Scope
from labs_common.errors import InvalidArgument
from labs_common.grpc.transactions import run_in_transaction
from labs_common.pagination import decode_cursor, encode_cursor, page_size
from labs_projects.adapters import proto
from labs_projects.adapters.object_storage import ObjectStorage
from labs_projects.domain.model import TASK_COLUMNS, SprintStatus, TaskStatus
from labs_projects.service_layer import (
    activity,
    clients,
    comments,
    files,
    projects,
    sprints,
    tasks,
)
from labs_projects.service_layer.members import MemberDirectory
from labs_projects.service_layer.unit_of_work import ProjectsUnitOfWork

SERVICE = pb.DESCRIPTOR.services_by_name["ProjectsService"]

UowFactory = Callable[[Scope], ProjectsUnitOfWork]


class ProjectsServicer(pb_grpc.ProjectsServiceServicer):
    def __init__(self, uow: UowFactory, members: MemberDirectory, storage: ObjectStorage,
                 limits: files.UploadLimits) -> None:
        self._uow = uow
        self._members = members
        self._storage = storage
        self._limits = limits

    async def _tenant(self, context, request, response_type, work: Callable[..., Awaitable]):
        principal = current_principal()
        scope = Scope(org_id=principal.org_id, actor_id=principal.user_id)
        return await run_in_transaction(
            self._uow(scope), context, request, response_type, lambda uow: work(uow, principal)
        )

    # --- projects for other services --------------------------------------------------------

    async def GetProject(self, request, context) -> pb.GetProjectResponse:
        project_id = uuid_field(request.id, "id")

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
        after = position(request.page_token)

        async def work(uow, principal):
            found = await clients.list_clients(
                uow, principal, after, limit + 1, q=request.q,
                include_archived=request.include_archived,
            )
            return pb.ListClientsResponse(
                clients=[proto.client(c) for c in found[:limit]],
                next_page_token=next_token(found, limit),
            )

        return await self._tenant(context, request, pb.ListClientsResponse, work)

    async def GetClient(self, request, context) -> pb.GetClientResponse:
        client_id = uuid_field(request.id, "id")

        async def work(uow, principal):
            client = await clients.get_client(uow, principal, client_id)
            return pb.GetClientResponse(client=proto.client(client))

        return await self._tenant(context, request, pb.GetClientResponse, work)

    async def UpdateClient(self, request, context) -> pb.UpdateClientResponse:
        client_id = uuid_field(request.id, "id")
        changes = {path: getattr(request.client, path, "") for path in request.update_mask.paths}

        async def work(uow, principal):
            client = await clients.update_client(
                uow, principal, client_id, changes=changes,
                if_match=list(request.if_match_etags),
            )
            return pb.UpdateClientResponse(client=proto.client(client))

        return await self._tenant(context, request, pb.UpdateClientResponse, work)

    async def DeleteClient(self, request, context) -> pb.DeleteClientResponse:
        client_id = uuid_field(request.id, "id")

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
        after = position(request.page_token)
        status = proto.PROTO_TO_STATUS.get(request.status) if request.status else None
        if request.status and status is None:
            raise InvalidArgument.on("status", "is not a project status")
        client_id = uuid_field(request.client_id, "client_id") if request.client_id else None

        async def work(uow, principal):
            found = await projects.list_projects(
                uow, principal, after, limit + 1, status=status, client_id=client_id,
                q=request.q,
            )
            return pb.ListProjectsResponse(
                projects=[proto.project(p) for p in found[:limit]],
                next_page_token=next_token(found, limit),
            )

        return await self._tenant(context, request, pb.ListProjectsResponse, work)

    async def UpdateProject(self, request, context) -> pb.UpdateProjectResponse:
        project_id = uuid_field(request.id, "id")
        fields = project_fields(request.project, list(request.update_mask.paths), keep_empty=True)

        async def work(uow, principal):
            project = await projects.update_project(
                uow, principal, self._members, project_id, fields=fields,
                if_match=list(request.if_match_etags),
            )
            return pb.UpdateProjectResponse(project=proto.project(project))

        return await self._tenant(context, request, pb.UpdateProjectResponse, work)

    async def DeleteProject(self, request, context) -> pb.DeleteProjectResponse:
        project_id = uuid_field(request.id, "id")

        async def work(uow, principal):
            await projects.archive_project(uow, principal, project_id)
            return pb.DeleteProjectResponse()

        return await self._tenant(context, request, pb.DeleteProjectResponse, work)

    # --- tasks ------------------------------------------------------------------------------

    async def CreateTask(self, request, context) -> pb.CreateTaskResponse:
        project_id = uuid_field(request.project_id, "project_id")
        fields = present_fields(request.task, TASK_SETTABLE)

        async def work(uow, principal):
            task = await tasks.create_task(uow, principal, self._members, project_id,
                                           fields=fields)
            return pb.CreateTaskResponse(task=proto.task(task))

        return await self._tenant(context, request, pb.CreateTaskResponse, work)

    async def ListTasks(self, request, context) -> pb.ListTasksResponse:
        project_id = uuid_field(request.project_id, "project_id")
        limit = page_size(request.page_size)
        after = task_position(request.page_token)
        filters = {
            "status": (TaskStatus(proto.message_field_text(request, "status"))
                       if request.status else None),
            "assignee_id": optional_uuid(request.assignee_id, "assignee_id"),
            "sprint_id": optional_uuid(request.sprint_id, "sprint_id"),
            "parent_task_id": optional_uuid(request.parent_task_id, "parent_task_id"),
        }

        async def work(uow, principal):
            found = await tasks.list_tasks(uow, principal, project_id, after, limit + 1,
                                           filters=filters)
            token = ""
            if len(found) > limit:
                last = found[limit - 1]
                token = encode_cursor(str(TASK_COLUMNS.index(last.status) + 1),
                                      str(last.position), str(last.id))
            return pb.ListTasksResponse(tasks=[proto.task(t) for t in found[:limit]],
                                        next_page_token=token)

        return await self._tenant(context, request, pb.ListTasksResponse, work)

    async def GetTask(self, request, context) -> pb.GetTaskResponse:
        task_id = uuid_field(request.id, "id")

        async def work(uow, principal):
            return pb.GetTaskResponse(task=proto.task(await tasks.get_task(uow, principal,
                                                                           task_id)))

        return await self._tenant(context, request, pb.GetTaskResponse, work)

    async def UpdateTask(self, request, context) -> pb.UpdateTaskResponse:
        task_id = uuid_field(request.id, "id")
        fields = masked_fields(request.task, request.update_mask.paths, TASK_SETTABLE)

        async def work(uow, principal):
            task = await tasks.update_task(uow, principal, self._members, task_id, fields=fields,
                                           if_match=list(request.if_match_etags))
            return pb.UpdateTaskResponse(task=proto.task(task))

        return await self._tenant(context, request, pb.UpdateTaskResponse, work)

    async def DeleteTask(self, request, context) -> pb.DeleteTaskResponse:
        task_id = uuid_field(request.id, "id")

        async def work(uow, principal):
            await tasks.delete_task(uow, principal, task_id)
            return pb.DeleteTaskResponse()

        return await self._tenant(context, request, pb.DeleteTaskResponse, work)

    async def BulkUpdateTasks(self, request, context) -> pb.BulkUpdateTasksResponse:
        project_id = uuid_field(request.project_id, "project_id")
        task_ids = [uuid_field(value, "task_ids") for value in request.task_ids]
        fields = masked_fields(request.changes, request.update_mask.paths, TASK_SETTABLE,
                               field_prefix="changes")

        async def work(uow, principal):
            updated = await tasks.bulk_update_tasks(uow, principal, self._members, project_id,
                                                    task_ids=task_ids, fields=fields)
            return pb.BulkUpdateTasksResponse(tasks=[proto.task(t) for t in updated])

        return await self._tenant(context, request, pb.BulkUpdateTasksResponse, work)

    # --- sprints ----------------------------------------------------------------------------

    async def CreateSprint(self, request, context) -> pb.CreateSprintResponse:
        project_id = uuid_field(request.project_id, "project_id")
        fields = present_fields(request.sprint, SPRINT_SETTABLE)

        async def work(uow, principal):
            sprint = await sprints.create_sprint(uow, principal, project_id, fields=fields)
            return pb.CreateSprintResponse(sprint=proto.sprint(sprint))

        return await self._tenant(context, request, pb.CreateSprintResponse, work)

    async def ListSprints(self, request, context) -> pb.ListSprintsResponse:
        project_id = uuid_field(request.project_id, "project_id")
        limit = page_size(request.page_size)
        after = position(request.page_token)
        status = (SprintStatus(proto.message_field_text(request, "status"))
                  if request.status else None)

        async def work(uow, principal):
            found = await sprints.list_sprints(uow, principal, project_id, after, limit + 1,
                                               status=status)
            return pb.ListSprintsResponse(sprints=[proto.sprint(s) for s in found[:limit]],
                                          next_page_token=next_token(found, limit))

        return await self._tenant(context, request, pb.ListSprintsResponse, work)

    async def GetSprint(self, request, context) -> pb.GetSprintResponse:
        sprint_id = uuid_field(request.id, "id")

        async def work(uow, principal):
            sprint = await sprints.get_sprint(uow, principal, sprint_id)
            return pb.GetSprintResponse(sprint=proto.sprint(sprint))

        return await self._tenant(context, request, pb.GetSprintResponse, work)

    async def UpdateSprint(self, request, context) -> pb.UpdateSprintResponse:
        sprint_id = uuid_field(request.id, "id")
        fields = masked_fields(request.sprint, request.update_mask.paths, SPRINT_SETTABLE)

        async def work(uow, principal):
            sprint = await sprints.update_sprint(uow, principal, sprint_id, fields=fields,
                                                 if_match=list(request.if_match_etags))
            return pb.UpdateSprintResponse(sprint=proto.sprint(sprint))

        return await self._tenant(context, request, pb.UpdateSprintResponse, work)

    # --- activity feed ----------------------------------------------------------------------

    async def ListActivities(self, request, context) -> pb.ListActivitiesResponse:
        limit = page_size(request.page_size)
        after = position(request.page_token)
        project_id = optional_uuid(request.project_id, "project_id")
        user_id = optional_uuid(request.user_id, "user_id")

        async def work(uow, principal):
            found = await activity.list_activities(
                uow, principal, after, limit + 1, project_id=project_id,
                entity_type=request.entity_type, user_id=user_id)
            return pb.ListActivitiesResponse(
                activities=[proto.activity(a) for a in found[:limit]],
                next_page_token=next_token(found, limit))

        return await self._tenant(context, request, pb.ListActivitiesResponse, work)

    # --- comments and search ----------------------------------------------------------------

    async def CreateComment(self, request, context) -> pb.CreateCommentResponse:
        task_id = uuid_field(request.task_id, "task_id")

        async def work(uow, principal):
            comment = await comments.create_comment(uow, principal, task_id, body=request.body)
            return pb.CreateCommentResponse(comment=proto.comment(comment))

        return await self._tenant(context, request, pb.CreateCommentResponse, work)

    async def ListComments(self, request, context) -> pb.ListCommentsResponse:
        task_id = uuid_field(request.task_id, "task_id")
        limit = page_size(request.page_size)
        after = position(request.page_token)

        async def work(uow, principal):
            found = await comments.list_comments(uow, principal, task_id, after, limit + 1)
            return pb.ListCommentsResponse(comments=[proto.comment(c) for c in found[:limit]],
                                           next_page_token=next_token(found, limit))

        return await self._tenant(context, request, pb.ListCommentsResponse, work)

    async def UpdateComment(self, request, context) -> pb.UpdateCommentResponse:
        comment_id = uuid_field(request.id, "id")

        async def work(uow, principal):
            comment = await comments.update_comment(uow, principal, comment_id,
                                                    body=request.body)
            return pb.UpdateCommentResponse(comment=proto.comment(comment))

        return await self._tenant(context, request, pb.UpdateCommentResponse, work)

    async def DeleteComment(self, request, context) -> pb.DeleteCommentResponse:
        comment_id = uuid_field(request.id, "id")

        async def work(uow, principal):
            await comments.delete_comment(uow, principal, comment_id)
            return pb.DeleteCommentResponse()

        return await self._tenant(context, request, pb.DeleteCommentResponse, work)

    async def Search(self, request, context) -> pb.SearchResponse:
        async def work(uow, principal):
            hits = await comments.search(uow, principal, q=request.q, limit=request.limit)
            return pb.SearchResponse(results=[proto.search_result(h) for h in hits])

        return await self._tenant(context, request, pb.SearchResponse, work)

    # --- files ------------------------------------------------------------------------------

    async def UploadFile(self, request_iterator, context) -> pb.UploadFileResponse:
        first = await anext(aiter(request_iterator), None)
        if first is None or not first.HasField("header"):
            raise InvalidArgument.on("header", "the first message must be the file header")
        given = first.header
        header = files.UploadHeader(
            project_id=uuid_field(given.project_id, "project_id"),
            task_id=optional_uuid(given.task_id, "task_id"),
            name=given.name, mime_type=given.mime_type)

        async def chunks():
            async for message in request_iterator:
                if not message.HasField("chunk"):
                    raise InvalidArgument.on("chunk", "only the first message is a header")
                yield message.chunk

        stored = await files.upload_file(self._uow, self._storage, current_principal(), header,
                                         chunks(), self._limits)
        return pb.UploadFileResponse(file=proto.file(stored))

    async def ListFiles(self, request, context) -> pb.ListFilesResponse:
        project_id = uuid_field(request.project_id, "project_id")
        task_id = optional_uuid(request.task_id, "task_id")
        limit = page_size(request.page_size)
        after = position(request.page_token)

        async def work(uow, principal):
            found = await files.list_files(uow, principal, project_id, after, limit + 1,
                                           task_id=task_id)
            return pb.ListFilesResponse(files=[proto.file(f) for f in found[:limit]],
                                        next_page_token=next_token(found, limit))

        return await self._tenant(context, request, pb.ListFilesResponse, work)

    async def GetFile(self, request, context) -> pb.GetFileResponse:
        file_id = uuid_field(request.id, "id")

        async def work(uow, principal):
            return pb.GetFileResponse(file=proto.file(await files.get_file(uow, principal,
                                                                           file_id)))

        return await self._tenant(context, request, pb.GetFileResponse, work)

    async def ReadFileContent(self, request, context) -> pb.ReadFileContentResponse:
        file_id = uuid_field(request.id, "id")

        async def work(uow, principal):
            stored, data = await files.read_content(
                uow, self._storage, principal, file_id, offset=request.offset,
                max_bytes=request.max_bytes)
            return pb.ReadFileContentResponse(file=proto.file(stored), data=data)

        return await self._tenant(context, request, pb.ReadFileContentResponse, work)


TASK_SETTABLE = ("title", "description", "status", "priority", "type", "assignee_id",
                 "estimated_hours", "story_points", "sprint_id", "parent_task_id", "due_date",
                 "position")
SPRINT_SETTABLE = ("name", "goal", "start_date", "end_date", "status")


def present_fields(message, names) -> dict[str, str]:
    """The fields of a create request that carry a value, as API strings."""
    values = {name: proto.message_field_text(message, name) for name in names}
    return {name: value for name, value in values.items() if value != ""}


def masked_fields(message, paths, settable, *, field_prefix: str = "update_mask"):
    unknown = [path for path in paths if path not in settable]
    if unknown:
        raise InvalidArgument.on(field_prefix, f"cannot set {', '.join(sorted(unknown))}")
    return {path: proto.message_field_text(message, path) for path in paths}


def optional_uuid(value: str, field: str) -> uuid.UUID | None:
    return uuid_field(value, field) if value else None


def task_position(token: str) -> tuple[int, int, uuid.UUID] | None:
    found = decode_cursor(token, 3)
    if found is None:
        return None
    try:
        return int(found[0]), int(found[1]), uuid.UUID(found[2])
    except ValueError as error:
        raise InvalidArgument.on("cursor", "is not a cursor this API returned") from error


def project_fields(
    message: pb.Project, names, *, keep_empty: bool = False
) -> dict[str, str]:
    """The named fields of a Project message as API strings (enums by their lowercase name)."""
    fields: dict[str, str] = {}
    for name in names:
        if name not in proto.PROJECT_FIELD_NAMES:
            raise InvalidArgument.on("update_mask", f"{name} is not a field that can be set")
        fields[name] = proto.field_text(message, name)
    return fields if keep_empty else {k: v for k, v in fields.items() if v != ""}


def uuid_field(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise InvalidArgument.on(field, "must be a UUID") from error


def position(token: str) -> tuple[datetime, uuid.UUID] | None:
    found = decode_cursor(token, 2)
    if found is None:
        return None
    try:
        return datetime.fromisoformat(found[0]), uuid.UUID(found[1])
    except ValueError as error:
        raise InvalidArgument.on("cursor", "is not a cursor this API returned") from error


def next_token(items: list, limit: int) -> str:
    if len(items) <= limit:
        return ""
    last = items[limit - 1]
    return encode_cursor(last.created_at.isoformat(), str(last.id))
