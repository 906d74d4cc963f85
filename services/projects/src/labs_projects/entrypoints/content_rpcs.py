"""The activity feed, comments, search and files: map in, one handler, map out."""

from __future__ import annotations

from labs.projects.v1 import projects_service_pb2 as pb
from labs_common.auth.principal import current_principal
from labs_common.errors import InvalidArgument
from labs_common.pagination import after_creation, next_page_token, page_size
from labs_common.parsing import optional_uuid, uuid_of
from labs_projects.adapters import proto
from labs_projects.service_layer import (
    activity,
    comments,
    files,
)


class ContentRpcs:
    """RPCs of ProjectsServicer (a mixin: it relies on the servicer's `_tenant` and adapters)."""

    # --- activity feed ----------------------------------------------------------------------

    async def ListActivities(self, request, context) -> pb.ListActivitiesResponse:
        limit = page_size(request.page_size)
        after = after_creation(request.page_token)
        project_id = optional_uuid(request.project_id, "project_id")
        user_id = optional_uuid(request.user_id, "user_id")

        async def work(uow, principal):
            found = await activity.list_activities(
                uow, principal, after, limit + 1, project_id=project_id,
                entity_type=request.entity_type, user_id=user_id)
            return pb.ListActivitiesResponse(
                activities=[proto.activity(a) for a in found[:limit]],
                next_page_token=next_page_token(found, limit))

        return await self._tenant(context, request, pb.ListActivitiesResponse, work)

    # --- comments and search ----------------------------------------------------------------

    async def CreateComment(self, request, context) -> pb.CreateCommentResponse:
        task_id = uuid_of(request.task_id, "task_id")

        async def work(uow, principal):
            comment = await comments.create_comment(uow, principal, task_id, body=request.body)
            return pb.CreateCommentResponse(comment=proto.comment(comment))

        return await self._tenant(context, request, pb.CreateCommentResponse, work)

    async def ListComments(self, request, context) -> pb.ListCommentsResponse:
        task_id = uuid_of(request.task_id, "task_id")
        limit = page_size(request.page_size)
        after = after_creation(request.page_token)

        async def work(uow, principal):
            found = await comments.list_comments(uow, principal, task_id, after, limit + 1)
            return pb.ListCommentsResponse(comments=[proto.comment(c) for c in found[:limit]],
                                           next_page_token=next_page_token(found, limit))

        return await self._tenant(context, request, pb.ListCommentsResponse, work)

    async def UpdateComment(self, request, context) -> pb.UpdateCommentResponse:
        comment_id = uuid_of(request.id, "id")

        async def work(uow, principal):
            comment = await comments.update_comment(uow, principal, comment_id,
                                                    body=request.body)
            return pb.UpdateCommentResponse(comment=proto.comment(comment))

        return await self._tenant(context, request, pb.UpdateCommentResponse, work)

    async def DeleteComment(self, request, context) -> pb.DeleteCommentResponse:
        comment_id = uuid_of(request.id, "id")

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
            project_id=uuid_of(given.project_id, "project_id"),
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
        project_id = uuid_of(request.project_id, "project_id")
        task_id = optional_uuid(request.task_id, "task_id")
        limit = page_size(request.page_size)
        after = after_creation(request.page_token)

        async def work(uow, principal):
            found = await files.list_files(uow, principal, project_id, after, limit + 1,
                                           task_id=task_id)
            return pb.ListFilesResponse(files=[proto.file(f) for f in found[:limit]],
                                        next_page_token=next_page_token(found, limit))

        return await self._tenant(context, request, pb.ListFilesResponse, work)

    async def GetFile(self, request, context) -> pb.GetFileResponse:
        file_id = uuid_of(request.id, "id")

        async def work(uow, principal):
            return pb.GetFileResponse(file=proto.file(await files.get_file(uow, principal,
                                                                           file_id)))

        return await self._tenant(context, request, pb.GetFileResponse, work)

    async def ReadFileContent(self, request, context) -> pb.ReadFileContentResponse:
        file_id = uuid_of(request.id, "id")

        async def work(uow, principal):
            stored, data = await files.read_content(
                uow, self._storage, principal, file_id, offset=request.offset,
                max_bytes=request.max_bytes)
            return pb.ReadFileContentResponse(file=proto.file(stored), data=data)

        return await self._tenant(context, request, pb.ReadFileContentResponse, work)


