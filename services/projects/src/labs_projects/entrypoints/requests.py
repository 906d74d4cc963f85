"""Turning a projects request's resource message into handler arguments: which fields it sets
(present on create, named by the field mask on update), as API strings. Ids, cursors and the
rest come from labs_common.parsing and labs_common.pagination."""

from __future__ import annotations

from labs.projects.v1 import projects_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_common.field_masks import refuse_unsettable
from labs_projects.adapters import proto
from labs_projects.domain.rules import PROJECT_FIELD_NAMES

TASK_SETTABLE = ("title", "description", "status", "priority", "type", "assignee_id",
                 "estimated_hours", "story_points", "sprint_id", "parent_task_id", "due_date",
                 "position", "github_issue_number")
SPRINT_SETTABLE = ("name", "goal", "start_date", "end_date", "status")


def present_fields(message, names) -> dict[str, str]:
    """The fields of a create request that carry a value, as API strings."""
    values = {name: proto.message_field_text(message, name) for name in names}
    return {name: value for name, value in values.items() if value != ""}


def masked_fields(message, paths, settable, *, field_prefix: str = "update_mask"):
    refuse_unsettable(paths, settable, field=field_prefix)
    return {path: proto.message_field_text(message, path) for path in paths}


def project_fields(
    message: pb.Project, names, *, keep_empty: bool = False
) -> dict[str, str]:
    """The named fields of a Project message as API strings (enums by their lowercase name)."""
    fields: dict[str, str] = {}
    for name in names:
        if name not in PROJECT_FIELD_NAMES:
            raise InvalidArgument.on("update_mask", f"{name} is not a field that can be set")
        fields[name] = proto.field_text(message, name)
    return fields if keep_empty else {k: v for k, v in fields.items() if v != ""}
