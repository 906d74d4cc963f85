"""The projects service's domain objects as protobuf messages (gRPC API and event payloads)."""

from __future__ import annotations

from labs.projects.v1 import projects_service_pb2 as pb
from labs_common.protobuf import EnumMapping, message_of
from labs_projects.domain.activity import Activity
from labs_projects.domain.model import (
    Client,
    Comment,
    Project,
    ProjectStatus,
    SearchHit,
    Sprint,
    StoredFile,
    Task,
)

PROJECT_STATUS = EnumMapping(pb.ProjectStatus, ProjectStatus)


def client(value: Client) -> pb.Client:
    return message_of(pb.Client, value)


def project(value: Project) -> pb.Project:
    return message_of(pb.Project, value)


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


def task(value: Task) -> pb.Task:
    return message_of(pb.Task, value)


def sprint(value: Sprint) -> pb.Sprint:
    return message_of(pb.Sprint, value)


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
    return message_of(pb.Activity, value)


def comment(value: Comment) -> pb.Comment:
    return message_of(pb.Comment, value)


def search_result(hit: SearchHit) -> pb.SearchResult:
    return message_of(pb.SearchResult, hit)


def file(value: StoredFile) -> pb.File:
    return message_of(pb.File, value)
