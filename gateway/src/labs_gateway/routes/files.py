"""Project files: multipart upload streamed through to the projects service (which streams it
to object storage), metadata, and downloads streamed back in byte ranges."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from labs.projects.v1 import projects_service_pb2 as pb
from labs_gateway.dependencies import IdempotentWrite
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.projects_common import Cursor, Limit, Projects
from labs_gateway.schemas.common import UuidStr
from labs_gateway.schemas.files import FileList, FilePublic
from labs_gateway.schemas.proto_json import to_message
from labs_gateway.schemas.public import public

router = APIRouter(route_class=ExactJsonRoute, tags=["files"], responses=PROBLEM_RESPONSES)
ProjectId = Annotated[uuid.UUID, Path(alias="id")]
FileId = Annotated[uuid.UUID, Path(alias="id")]
# gRPC messages stay far below the 4 MiB default; the service reads at most 1 MiB per range.
CHUNK_BYTES = 256 * 1024
READ_BYTES = 1024 * 1024


@router.post("/projects/{id}/files", status_code=status.HTTP_201_CREATED,
             response_model=FilePublic, dependencies=[IdempotentWrite])
async def upload_file(project_id: ProjectId, projects: Projects,
                      file: Annotated[UploadFile, File(description="The content.")],
                      task_id: Annotated[UuidStr | None, Form()] = None):
    """Upload a file (multipart `file`, optional `task_id`); the same name again is version + 1."""

    async def messages() -> AsyncIterator[pb.UploadFileRequest]:
        yield pb.UploadFileRequest(header=pb.FileHeader(
            project_id=str(project_id), task_id=task_id or "", name=file.filename or "",
            mime_type=file.content_type or ""))
        while chunk := await file.read(CHUNK_BYTES):
            yield pb.UploadFileRequest(chunk=chunk)

    uploaded = await projects.UploadFile(messages())
    return public(uploaded.file)


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
