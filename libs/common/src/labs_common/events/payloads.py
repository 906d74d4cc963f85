"""Any service's event payload, decoded by the type name in its Any, and as the API writes it.

Every generated `labs.*` module is imported once, so the descriptor pool knows the payloads of
every service whose protos are in this build, including ones built after the reader."""

from __future__ import annotations

import importlib
import pkgutil
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from google.protobuf import json_format, message_factory, symbol_database
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message

import labs
from labs.events.v1 import envelope_pb2
from labs.projects.v1 import events_pb2 as project_events
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs_common.protobuf import enum_api_name


@cache
def load_event_types() -> int:
    """Import every generated labs.*_pb2 module; the number imported."""
    count = 0
    for module in pkgutil.walk_packages(labs.__path__, prefix="labs."):
        if module.name.endswith("_pb2"):
            importlib.import_module(module.name)
            count += 1
    return count


def every_message() -> list[Descriptor]:
    """Every message of every generated labs.* module, nested ones included."""
    load_event_types()
    found: list[Descriptor] = []

    def walk(descriptor: Descriptor) -> None:
        found.append(descriptor)
        for nested in descriptor.nested_types:
            walk(nested)

    for module in pkgutil.walk_packages(labs.__path__, prefix="labs."):
        if module.name.endswith("_pb2"):
            for descriptor in importlib.import_module(
                    module.name).DESCRIPTOR.message_types_by_name.values():
                walk(descriptor)
    return found


def find_descriptor(full_name: str) -> Descriptor | None:
    load_event_types()
    try:
        return symbol_database.Default().pool.FindMessageTypeByName(full_name)
    except KeyError:
        return None


def unpack(envelope: envelope_pb2.Envelope) -> Message | None:
    """The typed payload; None when there is none or its type is unknown to this build."""
    if not envelope.HasField("payload"):
        return None
    descriptor = find_descriptor(envelope.payload.TypeName())
    if descriptor is None:
        return None
    message = message_factory.GetMessageClass(descriptor)()
    return message if envelope.payload.Unpack(message) else None


def unpack_into(envelope: envelope_pb2.Envelope, message: Message) -> bool:
    """Fills `message` from the payload when the payload is of its type; False otherwise."""
    return envelope.payload.Is(message.DESCRIPTOR) and envelope.payload.Unpack(message)


def occurred_at(envelope: envelope_pb2.Envelope) -> datetime:
    """When the event happened: the as-of of what a read model keeps from it."""
    return envelope.occurred_at.ToDatetime(UTC)


# A payload's fields as read models keep them: an empty string is "not set". An id that is not
# one is None (what it would point at cannot be found anyway); a malformed amount or date raises,
# so the event is retried and, still malformed, parked in the dead-letter stream.


def field_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def field_decimal(value: str) -> Decimal | None:
    return Decimal(value) if value else None


def field_date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


# The project.* events that carry the whole project (read models keep it from these).
PROJECT_EVENTS = (project_events.ProjectCreated, project_events.ProjectUpdated,
                  project_events.ProjectStatusChanged, project_events.ProjectArchived)


def project_of(envelope: envelope_pb2.Envelope) -> tuple[projects_pb.Project, bool] | None:
    """The project a project.* event carries, and whether it is archived now (an archive event,
    or its status says so); None for any other payload (a task's, a sprint's)."""
    for kind in PROJECT_EVENTS:
        if envelope.payload.Is(kind.DESCRIPTOR):
            event = kind()
            if not envelope.payload.Unpack(event):
                return None
            archived = (kind is project_events.ProjectArchived
                        or event.project.status == projects_pb.PROJECT_STATUS_ARCHIVED)
            return event.project, archived
    return None


def message_json(message: Message) -> dict[str, Any]:
    """Proto field names, every field set; enums as the API writes them (ROLE_OWNER → "owner")."""
    data = json_format.MessageToDict(message, preserving_proto_field_name=True)
    lowercase_enums(message.DESCRIPTOR, data)
    return data


def lowercase_enums(descriptor: Descriptor, data: dict[str, Any]) -> None:
    for field in descriptor.fields:
        if field.name not in data:
            continue
        values = data[field.name]
        if field.type == FieldDescriptor.TYPE_ENUM:
            data[field.name] = ([_enum_value(field.enum_type, v) for v in values]
                                if isinstance(values, list)
                                else _enum_value(field.enum_type, values))
        elif field.type == FieldDescriptor.TYPE_MESSAGE and not _is_well_known(field):
            for item in values if isinstance(values, list) else [values]:
                if isinstance(item, dict):
                    lowercase_enums(field.message_type, item)


def _enum_value(enum: EnumDescriptor, value: Any) -> Any:
    return enum_api_name(enum, value) if isinstance(value, str) else value


def _is_well_known(field: FieldDescriptor) -> bool:
    return field.message_type.full_name.startswith("google.protobuf.") or (
        field.message_type.GetOptions().map_entry)
