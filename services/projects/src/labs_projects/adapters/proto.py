"""The projects service's domain objects as protobuf messages (gRPC API and event payloads)."""

from __future__ import annotations

from labs.projects.v1 import projects_service_pb2 as pb
from labs_common.protobuf import EnumMapping, enum_text, message_of
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


def field_text(message: pb.Project, name: str) -> str:
    """A Project field as the API string: enums by lowercase name ("" when unspecified)."""
    field = message.DESCRIPTOR.fields_by_name[name]
    value = getattr(message, name)
    return enum_text(field, value) if field.enum_type is not None else value


def task(value: Task) -> pb.Task:
    return message_of(pb.Task, value)


def sprint(value: Sprint) -> pb.Sprint:
    return message_of(pb.Sprint, value)


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
    if descriptor.enum_type is not None:
        return enum_text(descriptor, value)
    return str(value)


def activity(value: Activity) -> pb.Activity:
    return message_of(pb.Activity, value)


def comment(value: Comment) -> pb.Comment:
    return message_of(pb.Comment, value)


def search_result(hit: SearchHit) -> pb.SearchResult:
    return message_of(pb.SearchResult, hit)


def file(value: StoredFile) -> pb.File:
    return message_of(pb.File, value)
