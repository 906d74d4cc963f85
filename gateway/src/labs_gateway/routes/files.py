"""Project files: multipart upload streamed through to the projects service (which streams it
to object storage), metadata, and downloads streamed back in byte ranges."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Request, Response, status
from fastapi.responses import StreamingResponse
from starlette.datastructures import FormData, UploadFile

from labs.projects.v1 import projects_service_pb2 as pb
from labs_common.auth.roles import Role
from labs_common.errors import FieldError, FieldErrors, InvalidArgument
from labs_gateway import nul_characters
from labs_gateway.dependencies import IdempotentWrite, role_at_least
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.projects_common import Cursor, Limit, Projects
from labs_gateway.schemas.files import FileList, FilePublic
from labs_gateway.schemas.proto_json import to_message
from labs_gateway.schemas.public import public

router = APIRouter(route_class=ExactJsonRoute, tags=["files"], responses=PROBLEM_RESPONSES)
ProjectId = Annotated[uuid.UUID, Path(alias="id")]
FileId = Annotated[uuid.UUID, Path(alias="id")]
# gRPC messages stay far below the 4 MiB default; the service reads at most 1 MiB per range.
CHUNK_BYTES = 256 * 1024
READ_BYTES = 1024 * 1024
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {
                "file": {"type": "string", "format": "binary", "description": "The content."},
                "task_id": {"type": "string", "format": "uuid",
                            "description": "The task of the project the file belongs to."}}}}},
    }
}


@router.post("/projects/{id}/files", status_code=status.HTTP_201_CREATED,
             response_model=FilePublic, openapi_extra=UPLOAD_BODY,
             dependencies=[IdempotentWrite, role_at_least(Role.MEMBER, unseen_by_clients="file")])
async def upload_file(request: Request, project_id: ProjectId, projects: Projects):
    """Upload a file (multipart `file`, optional `task_id`); the same name again is version + 1."""
    # Read here, after the dependencies have authenticated the caller and checked the role: as
    # File/Form parameters FastAPI would spool the whole upload first, for anyone.
    form = await request.form(max_files=1, max_fields=10)
    try:
        file, task_id = _upload_fields(form)

        async def messages() -> AsyncIterator[pb.UploadFileRequest]:
            yield pb.UploadFileRequest(header=pb.FileHeader(
                project_id=str(project_id), task_id=task_id, name=file.filename or "",
                mime_type=file.content_type or ""))
            while chunk := await file.read(CHUNK_BYTES):
                yield pb.UploadFileRequest(chunk=chunk)

        uploaded = await projects.UploadFile(messages())
    finally:
        await form.close()
    return public(uploaded.file)


def _upload_fields(form: FormData) -> tuple[UploadFile, str]:
    """The form's file and task id ("" for none), or a 422 naming every wrong field."""
    nul_characters.refuse(nul_characters.form_fields(form))
    problems = FieldErrors()
    file, task_id = form.get("file"), form.get("task_id") or ""
    if not isinstance(file, UploadFile):
        problems.errors.append(FieldError("file", "attach the content as the multipart field "
                                                   "`file`"))
    if not isinstance(task_id, str):
        problems.errors.append(FieldError("task_id", "must be a text field, not a file"))
    elif task_id:
        task_id = problems.check(lambda: _uuid_field("task_id", task_id)) or ""
    problems.raise_any()
    return file, task_id


def _uuid_field(name: str, value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidArgument.on(name, "Not a valid UUID.") from None


@router.get("/projects/{id}/files", response_model=FileList)
async def list_files(project_id: ProjectId, projects: Projects,
                     limit: Limit = 50, cursor: Cursor = None,
                     task_id: uuid.UUID | None = None):
    """The project's files, newest first, every version listed."""
    page = await projects.ListFiles(to_message(pb.ListFilesRequest, {
        "project_id": project_id, "page_size": limit, "page_token": cursor, "task_id": task_id}))
    return FileList(files=[public(f) for f in page.files],
                    next_cursor=page.next_page_token or None)


@router.get("/files/{id}", response_model=FilePublic)
async def get_file(file_id: FileId, projects: Projects):
    """One file's metadata."""
    found = await projects.GetFile(pb.GetFileRequest(id=str(file_id)))
    return public(found.file)


@router.get("/files/{id}/content", response_class=StreamingResponse,
            responses={200: {"content": {"application/octet-stream": {}}}})
async def download_file(file_id: FileId, projects: Projects) -> Response:
    """The file's bytes, streamed; the first range is read before answering, so a missing file
    is a clean 404."""
    first = await projects.ReadFileContent(
        pb.ReadFileContentRequest(id=str(file_id), offset=0, max_bytes=READ_BYTES))
    stored = first.file
    return StreamingResponse(
        _ranges(projects, stored, first.data),
        media_type=stored.mime_type,
        headers={
            "Content-Length": str(stored.size_bytes),
            "Content-Disposition": _attachment(stored.name),
            "ETag": f'"{stored.sha256}"',
            # Never let a browser reinterpret an upload as something it would execute.
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


async def _ranges(projects, stored: pb.File,
                  first: bytes) -> AsyncIterator[bytes]:
    yield first
    offset = len(first)
    while offset < stored.size_bytes:
        part = await projects.ReadFileContent(
            pb.ReadFileContentRequest(id=stored.id, offset=offset, max_bytes=READ_BYTES))
        if not part.data:
            return
        yield part.data
        offset += len(part.data)


def _attachment(name: str) -> str:
    fallback = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
