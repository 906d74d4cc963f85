"""Turning request messages into handler arguments: ids, cursors, field masks."""

from __future__ import annotations

import uuid
from datetime import datetime

from labs.projects.v1 import projects_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_common.pagination import decode_cursor, encode_cursor
from labs_projects.adapters import proto

TASK_SETTABLE = ("title", "description", "status", "priority", "type", "assignee_id",
                 "estimated_hours", "story_points", "sprint_id", "parent_task_id", "due_date",
                 "position")
SPRINT_SETTABLE = ("name", "goal", "start_date", "end_date", "status")


def present_fields(message, names) -> dict[str, str]:
    """The fields of a create request that carry a value, as API strings."""
    values = {name: proto.message_field_text(message, name) for name in names}
    return {name: value for name, value in values.items() if value != ""}


def masked_fields(message, paths, settable, *, field_prefix: str = "update_mask"):
    unknown = [path for path in paths if path not in settable]
    if unknown:
        raise InvalidArgument.on(field_prefix, f"cannot set {', '.join(sorted(unknown))}")
    return {path: proto.message_field_text(message, path) for path in paths}


def optional_uuid(value: str, field: str) -> uuid.UUID | None:
    return uuid_field(value, field) if value else None


def task_position(token: str) -> tuple[int, int, uuid.UUID] | None:
    found = decode_cursor(token, 3)
    if found is None:
        return None
    try:
        return int(found[0]), int(found[1]), uuid.UUID(found[2])
    except ValueError as error:
        raise InvalidArgument.on("cursor", "is not a cursor this API returned") from error


def project_fields(
    message: pb.Project, names, *, keep_empty: bool = False
) -> dict[str, str]:
    """The named fields of a Project message as API strings (enums by their lowercase name)."""
    fields: dict[str, str] = {}
    for name in names:
        if name not in proto.PROJECT_FIELD_NAMES:
            raise InvalidArgument.on("update_mask", f"{name} is not a field that can be set")
        fields[name] = proto.field_text(message, name)
    return fields if keep_empty else {k: v for k, v in fields.items() if v != ""}


def uuid_field(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise InvalidArgument.on(field, "must be a UUID") from error


def position(token: str) -> tuple[datetime, uuid.UUID] | None:
    found = decode_cursor(token, 2)
    if found is None:
        return None
    try:
        return datetime.fromisoformat(found[0]), uuid.UUID(found[1])
    except ValueError as error:
        raise InvalidArgument.on("cursor", "is not a cursor this API returned") from error


def next_token(items: list, limit: int) -> str:
    if len(items) <= limit:
        return ""
    last = items[limit - 1]
    return encode_cursor(last.created_at.isoformat(), str(last.id))

