"""The activity feed as the API shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from labs_gateway.schemas.proto_json import PublicModel


class ActivityPublic(PublicModel):
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
