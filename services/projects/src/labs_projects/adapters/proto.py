"""The projects service's domain objects as protobuf messages (gRPC API and event payloads)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from google.protobuf import struct_pb2

from labs.projects.v1 import projects_service_pb2 as pb
from labs_common.protobuf import timestamp
from labs_projects.domain.activity import Activity
from labs_projects.domain.model import (
    BudgetType,
    Client,
    Comment,
    Priority,
    Project,
    ProjectStatus,
    SearchHit,
    Sprint,
    SprintStatus,
    StoredFile,
    Task,
    TaskStatus,
    TaskType,
)

STATUS_TO_PROTO = {s: pb.ProjectStatus.Value(f"PROJECT_STATUS_{s.name}") for s in ProjectStatus}
PROTO_TO_STATUS = {v: k for k, v in STATUS_TO_PROTO.items()}
PRIORITY_TO_PROTO = {p: pb.Priority.Value(f"PRIORITY_{p.name}") for p in Priority}
PROTO_TO_PRIORITY = {v: k for k, v in PRIORITY_TO_PROTO.items()}
BUDGET_TO_PROTO = {b: pb.BudgetType.Value(f"BUDGET_TYPE_{b.name}") for b in BudgetType}
PROTO_TO_BUDGET = {v: k for k, v in BUDGET_TO_PROTO.items()}


def text(value: Decimal | date | object | None) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def client(value: Client) -> pb.Client:
    return pb.Client(
        id=str(value.id),
        name=value.name,
        email=value.email,
        currency=value.currency,
        created_at=timestamp(value.created_at),
        updated_at=timestamp(value.updated_at),
        archived_at=timestamp(value.archived_at),
        etag=value.etag,
    )


def project(value: Project) -> pb.Project:
    return pb.Project(
        id=str(value.id),
        client_id=text(value.client_id),
        name=value.name,
        description=value.description,
        status=STATUS_TO_PROTO[value.status],
        priority=PRIORITY_TO_PROTO[value.priority],
        budget_type=BUDGET_TO_PROTO[value.budget_type],
        budget_total=text(value.budget_total),
        budget_currency=value.budget_currency,
        budget_hours=text(value.budget_hours),
        start_date=text(value.start_date),
        end_date=text(value.end_date),
        billing_rate_override=text(value.billing_rate_override),
        project_manager_id=text(value.project_manager_id),
        github_repo_url=value.github_repo_url,
        slack_channel_id=value.slack_channel_id,
        created_at=timestamp(value.created_at),
        updated_at=timestamp(value.updated_at),
        etag=value.etag,
    )


# Project fields a caller may set (create) or name in an update mask.
PROJECT_FIELD_NAMES = (
    "name",
    "client_id",
    "description",
    "status",
    "priority",
    "budget_type",
    "budget_total",
    "budget_currency",
    "budget_hours",
    "start_date",
    "end_date",
    "billing_rate_override",
    "project_manager_id",
    "github_repo_url",
    "slack_channel_id",
)
_ENUM_PREFIXES = {
    "status": "PROJECT_STATUS_",
    "priority": "PRIORITY_",
    "budget_type": "BUDGET_TYPE_",
}


def field_text(message: pb.Project, name: str) -> str:
    """A Project field as the API string: enums by lowercase name ("" when unspecified)."""
    value = getattr(message, name)
    if name in _ENUM_PREFIXES:
        descriptor = message.DESCRIPTOR.fields_by_name[name].enum_type
        if value == 0:
            return ""
        return descriptor.values_by_number[value].name.removeprefix(_ENUM_PREFIXES[name]).lower()
    return value


TASK_STATUS_TO_PROTO = {s: pb.TaskStatus.Value(f"TASK_STATUS_{s.name}") for s in TaskStatus}
TASK_TYPE_TO_PROTO = {t: pb.TaskType.Value(f"TASK_TYPE_{t.name}") for t in TaskType}
SPRINT_STATUS_TO_PROTO = {
    s: pb.SprintStatus.Value(f"SPRINT_STATUS_{s.name}") for s in SprintStatus
}


def task(value: Task) -> pb.Task:
    message = pb.Task(
        id=str(value.id),
        project_id=str(value.project_id),
        parent_task_id=text(value.parent_task_id),
        sprint_id=text(value.sprint_id),
        title=value.title,
        description=value.description,
        status=TASK_STATUS_TO_PROTO[value.status],
        priority=PRIORITY_TO_PROTO[value.priority],
        type=TASK_TYPE_TO_PROTO[value.type],
        assignee_id=text(value.assignee_id),
        estimated_hours=text(value.estimated_hours),
        due_date=text(value.due_date),
        position=value.position,
        completed_at=timestamp(value.completed_at),
        created_by=text(value.created_by),
        created_at=timestamp(value.created_at),
        updated_at=timestamp(value.updated_at),
        etag=value.etag,
    )
    if value.story_points is not None:
        message.story_points = value.story_points
    return message


def sprint(value: Sprint) -> pb.Sprint:
    return pb.Sprint(
        id=str(value.id),
        project_id=str(value.project_id),
        name=value.name,
        goal=value.goal,
        start_date=text(value.start_date),
        end_date=text(value.end_date),
        status=SPRINT_STATUS_TO_PROTO[value.status],
        total_points=value.total_points,
        completed_points=value.completed_points,
        created_at=timestamp(value.created_at),
        updated_at=timestamp(value.updated_at),
        etag=value.etag,
    )


_MESSAGE_ENUM_PREFIXES = {
    ("Task", "status"): "TASK_STATUS_",
    ("Task", "priority"): "PRIORITY_",
    ("Task", "type"): "TASK_TYPE_",
    ("Sprint", "status"): "SPRINT_STATUS_",
    ("ListTasksRequest", "status"): "TASK_STATUS_",
    ("ListSprintsRequest", "status"): "SPRINT_STATUS_",
}


def message_field_text(message, name: str) -> str:
    """A Task or Sprint field as the API string: enums by lowercase name, optional integers as
    digits, "" for unset."""
    descriptor = message.DESCRIPTOR.fields_by_name.get(name)
    if descriptor is None:
        return ""
    if descriptor.has_presence and descriptor.message_type is None and \
            not message.HasField(name):
        return ""
    value = getattr(message, name)
    prefix = _MESSAGE_ENUM_PREFIXES.get((message.DESCRIPTOR.name, name))
    if prefix:
        if value == 0:
            return ""
        return descriptor.enum_type.values_by_number[value].name.removeprefix(prefix).lower()
    return str(value)


def activity(value: Activity) -> pb.Activity:
    metadata = struct_pb2.Struct()
    metadata.update(value.metadata)
    return pb.Activity(
        id=str(value.id),
        action=value.action,
        entity_type=value.entity_type,
        entity_id=value.entity_id,
        project_id=text(value.project_id),
        user_id=text(value.user_id),
        metadata=metadata,
        created_at=timestamp(value.created_at),
        source=value.source,
    )


def comment(value: Comment) -> pb.Comment:
    return pb.Comment(
        id=str(value.id),
        task_id=str(value.task_id),
        project_id=str(value.project_id),
        author_id=str(value.author_id),
        body=value.body,
        created_at=timestamp(value.created_at),
        updated_at=timestamp(value.updated_at),
        edited_at=timestamp(value.edited_at),
    )


def search_result(hit: SearchHit) -> pb.SearchResult:
    return pb.SearchResult(type=hit.type, id=str(hit.id), title=hit.title,
                           project_id=str(hit.project_id), snippet=hit.snippet, rank=hit.rank)


def file(value: StoredFile) -> pb.File:
    return pb.File(
        id=str(value.id),
        project_id=str(value.project_id),
        task_id=text(value.task_id),
        name=value.name,
        mime_type=value.mime_type,
        size_bytes=value.size_bytes,
        version=value.version,
        sha256=value.sha256,
        uploaded_by=text(value.uploaded_by),
        created_at=timestamp(value.created_at),
    )
