"""The activity feed as the API shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.protobuf import json_format
from pydantic import BaseModel

from labs.projects.v1 import projects_service_pb2 as pb
from labs_gateway.schemas.common import timestamp


class ActivityPublic(BaseModel):
    id: str
    action: str
    entity_type: str
    entity_id: str | None
    project_id: str | None
    user_id: str | None
    source: str
    metadata: dict[str, Any]
    created_at: datetime | None


class ActivityList(BaseModel):
    activities: list[ActivityPublic]
    next_cursor: str | None


def activity_public(entry: pb.Activity) -> ActivityPublic:
    return ActivityPublic(
        id=entry.id, action=entry.action, entity_type=entry.entity_type,
        entity_id=entry.entity_id or None, project_id=entry.project_id or None,
        user_id=entry.user_id or None, source=entry.source,
        metadata=json_format.MessageToDict(entry.metadata),
        created_at=timestamp(entry.created_at),
    )
