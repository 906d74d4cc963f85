"""File metadata as the API shows it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from labs_gateway.schemas.proto_json import PublicModel


class FilePublic(PublicModel):
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
