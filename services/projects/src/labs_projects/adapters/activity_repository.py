"""The activity feed's rows: inserted once (a repeated event id is ignored), read newest first."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from labs_common.db.repository import columns_of
from labs_common.visibility import Reader
from labs_projects.adapters.orm import activities, projects
from labs_projects.domain.activity import Activity

ActivityPosition = tuple[datetime, uuid.UUID]

# Built once (its columns come with the parameters): it runs for every event of every service.
# The id is the event's, so a redelivered event adds nothing.
_ADD_ACTIVITY = insert(activities).on_conflict_do_nothing(index_elements=["id"])


class SqlAlchemyActivityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, activity: Activity) -> None:
        await self._session.execute(_ADD_ACTIVITY, columns_of(activity, activities))

    async def page(
        self,
        org_id: uuid.UUID,
        after: ActivityPosition | None,
        limit: int,
        *,
        reader: Reader,
        project_id: uuid.UUID | None = None,
        entity_type: str = "",
        user_id: uuid.UUID | None = None,
    ) -> list[Activity]:
        query = select(activities).where(activities.c.org_id == org_id, _readable_by(reader))
        if project_id is not None:
            query = query.where(activities.c.project_id == project_id)
        if entity_type:
            query = query.where(activities.c.entity_type == entity_type)
        if user_id is not None:
            query = query.where(activities.c.user_id == user_id)
        if reader.is_client:
            query = query.where(
                activities.c.project_id.in_(
                    select(projects.c.id).where(
                        projects.c.org_id == org_id,
                        projects.c.client_id == uuid.UUID(reader.client_id),
                    )
                )
            )
        if after:
            query = query.where(
                or_(
                    activities.c.created_at < after[0],
                    (activities.c.created_at == after[0]) & (activities.c.id < after[1]),
                )
            )
        query = query.order_by(activities.c.created_at.desc(), activities.c.id.desc()).limit(limit)
        return [_activity(row) for row in (await self._session.execute(query)).all()]

    async def count(self, org_id: uuid.UUID) -> int:
        return (
            await self._session.execute(select(func.count()).where(activities.c.org_id == org_id))
        ).scalar_one()


def _readable_by(reader: Reader) -> ColumnElement[bool]:
    """The visibility policy's record rule as a condition: levels anyone's records are read at,
    or levels read only when the record is the reader's own."""
    anyones, own = reader.readable_records()
    readable = activities.c.readers.in_(sorted(anyones))
    if own:
        readable = or_(readable, activities.c.readers.in_(sorted(own))
                       & (activities.c.owner_id == uuid.UUID(reader.user_id)))
    return readable


def _activity(row: Row) -> Activity:
    return Activity(
        id=row.id,
        org_id=row.org_id,
        source=row.source,
        action=row.action,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        project_id=row.project_id,
        user_id=row.user_id,
        created_at=row.created_at,
        metadata=row.metadata,
        payload_type=row.payload_type,
        readers=row.readers,
        owner_id=row.owner_id,
    )
