"""File metadata: versions per name within a project, and the org's storage in use."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, insert, or_, select, text
from sqlalchemy.engine import Row

from labs_common.db.repository import OrgScopedRepository
from labs_projects.adapters.orm import files
from labs_projects.domain.model import StoredFile


def _file(row: Row) -> StoredFile:
    return StoredFile(id=row.id, org_id=row.org_id, project_id=row.project_id,
                      task_id=row.task_id, name=row.name, mime_type=row.mime_type,
                      size_bytes=row.size_bytes, version=row.version, sha256=row.sha256,
                      uploaded_by=row.uploaded_by, created_at=row.created_at)


class SqlAlchemyFileRepository(OrgScopedRepository):
    async def lock_storage(self) -> None:
        """Serializes the quota check and version numbering of one org's uploads."""
        await self._session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"files:{self._org_id}"},
        )

    async def bytes_used(self) -> int:
        return (await self._session.execute(
            select(func.coalesce(func.sum(files.c.size_bytes), 0))
            .where(files.c.org_id == self._org_id))).scalar_one()

    async def latest_version(self, project_id: uuid.UUID, name: str) -> int:
        return (await self._session.execute(
            select(func.coalesce(func.max(files.c.version), 0)).where(
                files.c.project_id == project_id,
                func.lower(files.c.name) == name.lower()))).scalar_one()

    async def add(self, stored: StoredFile) -> StoredFile:
        row = (await self._session.execute(insert(files).values(
            id=stored.id, org_id=stored.org_id, project_id=stored.project_id,
            task_id=stored.task_id, name=stored.name, mime_type=stored.mime_type,
            size_bytes=stored.size_bytes, version=stored.version, sha256=stored.sha256,
            uploaded_by=stored.uploaded_by,
        ).returning(*files.c))).one()
        return _file(row)

    async def get(self, file_id: uuid.UUID) -> StoredFile | None:
        row = (await self._session.execute(select(files).where(
            files.c.org_id == self._org_id, files.c.id == file_id))).first()
        return _file(row) if row else None

    async def page(self, project_id: uuid.UUID, after: tuple[datetime, uuid.UUID] | None,
                   limit: int, *, task_id: uuid.UUID | None) -> list[StoredFile]:
        query = select(files).where(files.c.project_id == project_id)
        if task_id is not None:
            query = query.where(files.c.task_id == task_id)
        if after:
            query = query.where(or_(
                files.c.created_at < after[0],
                (files.c.created_at == after[0]) & (files.c.id < after[1])))
        query = query.order_by(files.c.created_at.desc(), files.c.id.desc()).limit(limit)
        return [_file(row) for row in (await self._session.execute(query)).all()]
