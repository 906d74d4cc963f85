"""Task and sprint protos ⇄ the API's JSON."""

from __future__ import annotations

from labs.projects.v1 import projects_service_pb2 as pb
from labs_gateway.schemas.common import timestamp
from labs_gateway.schemas.projects_mapping import hours_number, hours_text, or_none
from labs_gateway.schemas.tasks import SprintPublic, TaskPublic

_ENUMS = {
    ("Task", "status"): (pb.TaskStatus, "TASK_STATUS_"),
    ("Task", "priority"): (pb.Priority, "PRIORITY_"),
    ("Task", "type"): (pb.TaskType, "TASK_TYPE_"),
    ("Sprint", "status"): (pb.SprintStatus, "SPRINT_STATUS_"),
}


def enum_to_proto(message: str, field: str, name: str) -> int:
    enum, prefix = _ENUMS[(message, field)]
    return enum.Value(prefix + name.upper())


def _name(message: str, field: str, value: int) -> str:
    enum, prefix = _ENUMS[(message, field)]
    return enum.Name(value).removeprefix(prefix).lower()


def message_from(message_type, values: dict):
    """A Task or Sprint message from API values; None leaves a field empty (absent or cleared)."""
    message = message_type()
    kind = message_type.DESCRIPTOR.name
    for field, value in values.items():
        if value is None:
            continue
        if (kind, field) in _ENUMS:
            setattr(message, field, enum_to_proto(kind, field, value))
        elif field == "estimated_hours":
            message.estimated_hours = hours_text(value)
        else:
            setattr(message, field, value)
    return message


def task_public(task: pb.Task) -> TaskPublic:
    return TaskPublic(
        id=task.id, project_id=task.project_id, parent_task_id=or_none(task.parent_task_id),
        sprint_id=or_none(task.sprint_id), title=task.title, description=task.description,
        status=_name("Task", "status", task.status),
        priority=_name("Task", "priority", task.priority),
        type=_name("Task", "type", task.type), assignee_id=or_none(task.assignee_id),
        estimated_hours=hours_number(task.estimated_hours),
        story_points=task.story_points if task.HasField("story_points") else None,
        due_date=or_none(task.due_date), position=task.position,
        completed_at=timestamp(task.completed_at), created_by=or_none(task.created_by),
        created_at=timestamp(task.created_at), updated_at=timestamp(task.updated_at),
    )


def sprint_public(sprint: pb.Sprint) -> SprintPublic:
    return SprintPublic(
        id=sprint.id, project_id=sprint.project_id, name=sprint.name, goal=sprint.goal,
        start_date=sprint.start_date, end_date=sprint.end_date,
        status=_name("Sprint", "status", sprint.status), total_points=sprint.total_points,
        completed_points=sprint.completed_points, created_at=timestamp(sprint.created_at),
        updated_at=timestamp(sprint.updated_at),
    )
