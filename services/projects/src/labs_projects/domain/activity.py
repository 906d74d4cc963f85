"""What an event says for the activity feed: which object it is about. Pure."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Activity:
    id: uuid.UUID
    org_id: uuid.UUID
    source: str
    action: str
    entity_type: str
    entity_id: str
    project_id: uuid.UUID | None
    user_id: uuid.UUID | None
    created_at: datetime
    metadata: dict[str, Any] = field(default_factory=dict)
    # Who may read it (labs_common.visibility): the payload's message type, the record readers
    # its contract declares, and the person it belongs to.
    payload_type: str = ""
    readers: int = 0
    owner_id: uuid.UUID | None = None


def entity_type_of(event_type: str) -> str:
    """"task.created" → "task"."""
    return event_type.partition(".")[0]


def entity_id_of(event_type: str, payload: dict[str, Any]) -> str:
    """The id of the object an event is about, by the conventions every service's payloads
    follow: the aggregate as a nested message with an id ("task": {"id": ...}), or an
    "<aggregate>_id" field, or a top-level "id"; else the first nested message's id."""
    aggregate = entity_type_of(event_type)
    nested = payload.get(aggregate)
    if isinstance(nested, dict) and isinstance(nested.get("id"), str):
        return nested["id"]
    for key in (f"{aggregate}_id", "id"):
        if isinstance(payload.get(key), str) and payload[key]:
            return payload[key]
    for value in payload.values():
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            return value["id"]
    return ""


def project_id_of(envelope_project_id: str, payload: dict[str, Any]) -> uuid.UUID | None:
    """The envelope's project, else a project_id the payload names at its top level."""
    for candidate in (envelope_project_id, payload.get("project_id")):
        if isinstance(candidate, str) and candidate:
            try:
                return uuid.UUID(candidate)
            except ValueError:
                continue
    return None
