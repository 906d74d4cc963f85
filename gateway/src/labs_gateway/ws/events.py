"""Domain events (labs.events.v1.Envelope) → the WebSocket messages each reader receives.

`{"type": "task:updated", "id": <event id>, "ts": <RFC 3339>, "data": {...}}`, where `data` is the
object the event carries as REST returns it to that reader, plus `project_id`; a payload that has
a public form itself (MarginUpdated: `{project_id, margin}`) is shown as that form, with the
object nested; an event that carries no API object (a deletion, an over-allocation) sends its
payload with the same rules: proto field names, lowercase enum names, hours as numbers, hidden
fields absent.

Who receives what is the visibility policy (labs_common.visibility): an event is decoded once,
and rendered once per distinct view (the set of field levels hidden from a reader).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from labs.events.v1 import envelope_pb2
from labs.options.v1 import visibility_pb2 as options
from labs_common.events.payloads import load_event_types, message_json, unpack
from labs_common.visibility import Reader, owner_of, record_readers, redact_json
from labs_gateway.schemas.public import has_public_form, public_json
from labs_gateway.ws.frames import text_frame

__all__ = ["EventView", "load_event_types", "rfc3339_now", "ws_type"]

# Names the API fixes (API.md) where the one rule would say otherwise.
WS_TYPES: dict[tuple[str, str], str] = {
    ("projects", "project.status_changed"): "project:status:changed",
    ("forecasting", "project.margin_updated"): "project:margin-updated",
    ("forecasting", "project.forecast_updated"): "project:forecast-updated",
    ("forecasting", "alert.raised"): "alert:new",
}
# Events between services that carry a reader's record but are no news to show: the mail and
# the Slack message an alert asks for (the alert is in the user's inbox either way).
NOT_FOR_SOCKETS = {("forecasting", "alert.mail_requested"),
                   ("forecasting", "alert.slack_requested")}
# Aggregates whose events are named after their service too: a time entry is "time:entry:*".
QUALIFIED_AGGREGATES = {("time", "entry")}
# A field holding the object as it was before the change, not the object the event is about.
PREVIOUS_FIELD = "previous"
# The field naming the client an object belongs to (an invoice, a project).
CLIENT_FIELD = "client_id"


def ws_type(source: str, event_type: str) -> str:
    """`<aggregate>.<verb>` → `<aggregate>:<verb>` (time entries: `time:entry:<verb>`)."""
    if (source, event_type) in WS_TYPES:
        return WS_TYPES[(source, event_type)]
    aggregate, _, verb = event_type.partition(".")
    name = f"{aggregate}:{verb}"
    return f"{source}:{name}" if (source, aggregate) in QUALIFIED_AGGREGATES else name


class EventView:
    """One event, decoded once: who may receive it, and its message for each view."""

    def __init__(self, envelope: envelope_pb2.Envelope, payload: Message | None) -> None:
        self.envelope = envelope
        self.payload = payload
        self.type = ws_type(envelope.source, envelope.type)
        self.readers = record_readers(payload.DESCRIPTOR) if payload is not None else 0
        # A payload with a public form of its own is shown as it (project:margin-updated is
        # {project_id, margin}); else the object it carries (TaskUpdated.task, AlertRaised.alert),
        # else itself.
        self.object = (payload if payload is not None
                       and has_public_form(payload.DESCRIPTOR.full_name)
                       else carried_object(payload))
        self.owner_id = self._owner()
        # Whose client the object is about (an invoice's), for client-role sockets: an invoice
        # of a client without a project concerns none of its projects.
        self.client_id = client_of(self.object)
        self._texts: dict[frozenset[int], str] = {}
        self._frames: dict[frozenset[int], bytes] = {}

    @classmethod
    def of(cls, envelope: envelope_pb2.Envelope, *, requests: bool = False) -> EventView | None:
        """None for events no socket may see: platform-wide ones, and payloads this build does
        not know (their readers cannot be told, so nobody is shown them). With `requests`, the
        events that ask another channel to deliver a record (an alert's mail or Slack message)
        are viewed too, for that channel's sender."""
        if not envelope.org_id or not envelope.type or (
                not requests and (envelope.source, envelope.type) in NOT_FOR_SOCKETS):
            return None
        payload = unpack(envelope)
        if payload is None:
            return None
        return cls(envelope, payload)

    def _owner(self) -> str:
        """Whom the record is about: the payload's `user_id`, else who caused it. A record only
        its owner reads (alert.raised: the alert's user) never falls back to who caused it (the
        member whose time raised a manager's alert): the carried object's `user_id`, else
        nobody."""
        if self.payload is None:
            return ""
        if self.readers == options.RECORD_READERS_OWNER:
            owner = owner_of(self.payload)
            if not owner and self.object is not None and self.object is not self.payload:
                owner = owner_of(self.object)
            return owner
        return owner_of(self.payload, self.envelope.actor_id)

    def visible_to(self, reader: Reader) -> bool:
        """The record rule; a client-role reader also needs the event's project, or the object's
        client, to be its client's, which the socket checks."""
        return reader.may_read_record(self.readers, self.owner_id)

    def frame_for(self, reader: Reader) -> bytes:
        """The WebSocket frame of `text_for(reader)`, built once per view (ws/frames.py)."""
        frame = self._frames.get(reader.view)
        if frame is None:
            frame = self._frames[reader.view] = text_frame(self.text_for(reader))
        return frame

    def text_for(self, reader: Reader) -> str:
        """The JSON text for `reader`, serialized once per view."""
        text = self._texts.get(reader.view)
        if text is None:
            text = self._texts[reader.view] = json.dumps(
                {"type": self.type, "id": self.envelope.id, "ts": self._ts(),
                 "data": self.data_for(reader)}, separators=(",", ":"))
        return text

    def data_for(self, reader: Reader) -> dict[str, Any]:
        if self.object is not None:
            data = public_json(self.object, reader)
        else:
            assert self.payload is not None
            data = hours_as_numbers(redact_json(
                self.payload.DESCRIPTOR, message_json(self.payload), reader))
        if self.envelope.project_id:
            data["project_id"] = self.envelope.project_id
        return data

    def _ts(self) -> str:
        if self.envelope.HasField("occurred_at"):
            return self.envelope.occurred_at.ToJsonString()
        return rfc3339_now()


def rfc3339_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def carried_object(payload: Message | None) -> Message | None:
    """The API object an event is about: its first set field holding one (TaskUpdated.task,
    EntryChanged.entry), else None."""
    if payload is None:
        return None
    for field in payload.DESCRIPTOR.fields:
        if (field.type == FieldDescriptor.TYPE_MESSAGE and not field.is_repeated
                and field.name != PREVIOUS_FIELD and has_public_form(field.message_type.full_name)
                and payload.HasField(field.name)):
            return getattr(payload, field.name)
    return None


def client_of(carried: Message | None) -> str:
    """The `client_id` of the object an event carries, "" when it has none."""
    if carried is None or CLIENT_FIELD not in carried.DESCRIPTOR.fields_by_name:
        return ""
    return str(getattr(carried, CLIENT_FIELD))


def hours_as_numbers(data: dict[str, Any]) -> dict[str, Any]:
    """Hours are JSON numbers in the API; payloads carry them as decimal strings."""
    for key, value in data.items():
        if key.endswith("hours"):
            if isinstance(value, str) and value:
                data[key] = float(value)
            elif isinstance(value, list):
                data[key] = [float(v) if isinstance(v, str) and v else v for v in value]
    return data
