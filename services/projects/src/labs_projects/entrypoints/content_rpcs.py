"""The activity feed, comments, search and files: map in, one handler, map out."""

from __future__ import annotations

from functools import partial

from labs.projects.v1 import projects_service_pb2 as pb
from labs_common.auth.principal import current_principal
from labs_common.errors import InvalidArgument
from labs_common.grpc.transactions import idempotent_call
from labs_common.pagination import after_creation, next_page_token, page_size
from labs_common.parsing import optional_uuid, uuid_of
from labs_projects.adapters import proto
from labs_projects.domain import commands
from labs_projects.service_layer import (
    activity,
    comments,
    files,
)


class ContentRpcs:
    """RPCs of ProjectsServicer (a mixin: it relies on the servicer's `_handle` and adapters)."""

    # --- activity feed ----------------------------------------------------------------------

    async def ListActivities(self, request, context) -> pb.ListActivitiesResponse:
        """What happened in the org that the caller may read, newest first."""
        limit = page_size(request.page_size)
        command = commands.ListActivities(
            after_creation(request.page_token), limit + 1,
            project_id=optional_uuid(request.project_id, "project_id"),
            entity_type=request.entity_type, user_id=optional_uuid(request.user_id, "user_id"))
        return await self._handle_page(context, request, activity.list_activities, command,
                                       limit, activities=proto.activity)

    # --- comments and search ----------------------------------------------------------------

    async def CreateComment(self, request, context) -> pb.CreateCommentResponse:
        """Comments on a task (clients too, on their own projects)."""
        command = commands.CreateComment(uuid_of(request.task_id, "task_id"), request.body)
        return await self._handle(context, request, comments.create_comment, command,
                                  comment=proto.comment)

    async def ListComments(self, request, context) -> pb.ListCommentsResponse:
        """A task's comments, a page at a time."""
        limit = page_size(request.page_size)
        command = commands.ListComments(uuid_of(request.task_id, "task_id"),
                                        after_creation(request.page_token), limit + 1)
        return await self._handle_page(
            context, request, comments.list_comments, command, limit, comments=proto.comment)

    async def UpdateComment(self, request, context) -> pb.UpdateCommentResponse:
        """Edits one's own comment."""
        command = commands.UpdateComment(uuid_of(request.id, "id"), request.body)
        return await self._handle(context, request, comments.update_comment, command,
                                  comment=proto.comment)

    async def DeleteComment(self, request, context) -> pb.DeleteCommentResponse:
        """Removes one's own comment (managers: anyone's)."""
        command = commands.DeleteComment(uuid_of(request.id, "id"))
        return await self._handle(context, request, comments.delete_comment, command)

    async def Search(self, request, context) -> pb.SearchResponse:
        """Projects, tasks and comments the caller may see that match `q`."""
        command = commands.Search(request.q, request.limit)
        return await self._handle(
            context, request, comments.search, command,
            lambda hits: pb.SearchResponse(results=[proto.search_result(h) for h in hits]),
        )

    # --- files ------------------------------------------------------------------------------

    async def UploadFile(self, request_iterator, context) -> pb.UploadFileResponse:
        first = await anext(aiter(request_iterator), None)
        if first is None or not first.HasField("header"):
            raise InvalidArgument.on("header", "the first message must be the file header")
        given = first.header
        header = files.UploadHeader(
            project_id=uuid_of(given.project_id, "project_id"),
            task_id=optional_uuid(given.task_id, "task_id"),
            name=given.name, mime_type=given.mime_type)

        async def chunks():
            async for message in request_iterator:
                if not message.HasField("chunk"):
                    raise InvalidArgument.on("chunk", "only the first message is a header")
                yield message.chunk

        return await files.upload_file(
            self._uow, self._storage, current_principal(), header, chunks(), self._limits,
            idempotency=partial(idempotent_call, context, first))

    async def ListFiles(self, request, context) -> pb.ListFilesResponse:
        """A project's (or a task's) files, newest first, a page at a time."""
        limit = page_size(request.page_size)
        command = commands.ListFiles(
            project_id=uuid_of(request.project_id, "project_id"),
            after=after_creation(request.page_token),
            limit=limit + 1,
            task_id=optional_uuid(request.task_id, "task_id"),
        )
        return await self._handle(
            context, request, files.list_files, command,
            lambda found: pb.ListFilesResponse(files=[proto.file(f) for f in found[:limit]],
                                               next_page_token=next_page_token(found, limit)),
        )

    async def GetFile(self, request, context) -> pb.GetFileResponse:
        """One file's metadata."""
        return await self._get_one(context, request, files.get_file, commands.GetFile,
                                   file=proto.file)

    async def ReadFileContent(self, request, context) -> pb.ReadFileContentResponse:
        """A range of a file's bytes."""
        command = commands.ReadFileContent(uuid_of(request.id, "id"), request.offset,
                                           request.max_bytes)
        return await self._handle(
            context, request, partial(files.read_content, storage=self._storage), command,
            lambda read: pb.ReadFileContentResponse(file=proto.file(read[0]), data=read[1]),
        )
