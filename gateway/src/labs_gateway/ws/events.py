"""Domain events (labs.events.v1.Envelope) → the WebSocket message clients receive.

`{"type": "task:created", "id": <event id>, "ts": <RFC 3339>, "data": {...payload, project_id}}`.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from datetime import UTC, datetime
from typing import Any

from google.protobuf import json_format, message_factory, symbol_database
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from labs.events.v1 import envelope_pb2

# Names the API fixes (API.md), keyed by (source, envelope type); the rest follow the default
# rule "<aggregate>.<verb>" → "<aggregate>:<verb>".
WS_TYPES: dict[tuple[str, str], str] = {
    ("projects", "task.created"): "task:created",
    ("projects", "task.updated"): "task:updated",
    ("projects", "task.deleted"): "task:deleted",
    ("projects", "project.created"): "project:created",
    ("projects", "project.status_changed"): "project:status:changed",
    ("time", "entry.created"): "time:entry:created",
    ("time", "entry.started"): "time:entry:started",
    ("time", "entry.stopped"): "time:entry:stopped",
    ("billing", "invoice.issued"): "invoice:issued",
    ("billing", "invoice.paid"): "invoice:paid",
    ("forecasting", "project.margin_updated"): "project:margin-updated",
    ("forecasting", "project.forecast_updated"): "project:forecast-updated",
    ("forecasting", "alert.raised"): "alert:new",
    ("integrations", "sync.completed"): "sync:completed",
}

# Identity events may reach other users only when they carry nothing about secrets or sessions.
_IDENTITY_AGGREGATES = {"organization", "member", "invitation"}
_IDENTITY_PRIVATE = {"member.logged_in"}  # names a session id


def ws_type(source: str, event_type: str) -> str:
    return WS_TYPES.get((source, event_type)) or event_type.replace(".", ":", 1)


def is_forwarded(envelope: envelope_pb2.Envelope) -> bool:
    """Whether any socket may see this event (org scoping is decided per socket)."""
    if not envelope.org_id or not envelope.type:
        return False  # platform-wide events (signing keys...) are nobody's business here
    if envelope.source == "identity":
        aggregate = envelope.type.partition(".")[0]
        return aggregate in _IDENTITY_AGGREGATES and envelope.type not in _IDENTITY_PRIVATE
    return True


def client_message(envelope: envelope_pb2.Envelope) -> str:
    """The JSON text sent to every socket that receives `envelope` (serialized once)."""
    data = payload_dict(envelope)
    if envelope.project_id:
        data["project_id"] = envelope.project_id
    ts = (envelope.occurred_at.ToJsonString() if envelope.HasField("occurred_at")
          else rfc3339_now())
    return json.dumps({"type": ws_type(envelope.source, envelope.type), "id": envelope.id,
                       "ts": ts, "data": data}, separators=(",", ":"))


def rfc3339_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def payload_dict(envelope: envelope_pb2.Envelope) -> dict[str, Any]:
    """The unpacked payload with proto field names; {} when its type is unknown to this build."""
    if not envelope.HasField("payload"):
        return {}
    name = envelope.payload.TypeName()
    try:
        descriptor = symbol_database.Default().pool.FindMessageTypeByName(name)
    except KeyError:
        return {}
    message = message_factory.GetMessageClass(descriptor)()
    if not envelope.payload.Unpack(message):
        return {}
    data = json_format.MessageToDict(message, preserving_proto_field_name=True)
    _lowercase_enums(descriptor, data)
    return data


def _lowercase_enums(descriptor: Descriptor, data: dict[str, Any]) -> None:
    """ROLE_OWNER → "owner": the API writes enum values as lowercase names without their prefix."""
    for field in descriptor.fields:
        if field.name not in data:
            continue
        if field.type == FieldDescriptor.TYPE_ENUM:
            prefix = _enum_prefix(field.enum_type.name)
            values = data[field.name]
            data[field.name] = ([_enum_value(v, prefix) for v in values]
                                if isinstance(values, list) else _enum_value(values, prefix))
        elif field.type == FieldDescriptor.TYPE_MESSAGE and not _is_well_known(field):
            values = data[field.name]
            for item in values if isinstance(values, list) else [values]:
                if isinstance(item, dict):
                    _lowercase_enums(field.message_type, item)


def _enum_value(value: Any, prefix: str) -> Any:
    return value.removeprefix(prefix).lower() if isinstance(value, str) else value


def _enum_prefix(enum_name: str) -> str:
    """`ProjectStatus` → `PROJECT_STATUS_` (the buf style prefix of its values)."""
    snake = "".join(f"_{c}" if c.isupper() and i else c for i, c in enumerate(enum_name))
    return snake.upper() + "_"


def _is_well_known(field: FieldDescriptor) -> bool:
    return field.message_type.full_name.startswith("google.protobuf.") or (
        field.message_type.GetOptions().map_entry)


def load_event_types() -> int:
    """Import every generated labs.*_pb2 module so Any payloads of every service resolve."""
    import labs

    count = 0
    for module in pkgutil.walk_packages(labs.__path__, prefix="labs."):
        if module.name.endswith("_pb2"):
            importlib.import_module(module.name)
            count += 1
    return count
