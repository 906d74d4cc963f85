"""File metadata as the API shows it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from labs.projects.v1 import projects_service_pb2 as pb
from labs_gateway.schemas.common import timestamp


class FilePublic(BaseModel):
    id: str
    project_id: str
    task_id: str | None
    name: str
    mime_type: str
    size_bytes: int
    version: int
    sha256: str
    uploaded_by: str | None
    created_at: datetime | None


class FileList(BaseModel):
    files: list[FilePublic]
    next_cursor: str | None


def file_public(stored: pb.File) -> FilePublic:
    return FilePublic(
        id=stored.id, project_id=stored.project_id, task_id=stored.task_id or None,
        name=stored.name, mime_type=stored.mime_type, size_bytes=stored.size_bytes,
        version=stored.version, sha256=stored.sha256, uploaded_by=stored.uploaded_by or None,
        created_at=timestamp(stored.created_at),
    )
