"""Envelope → WebSocket message: the API's type names, payload as JSON, lowercase enum values."""

from __future__ import annotations

import json
import uuid

import pytest
from google.protobuf import any_pb2

from labs.events.v1 import envelope_pb2
from labs.identity.v1 import events_pb2
from labs_gateway.ws.events import client_message, is_forwarded, load_event_types, ws_type


@pytest.mark.parametrize(("source", "event_type", "expected"), [
    ("projects", "task.created", "task:created"),
    ("projects", "project.status_changed", "project:status:changed"),
    ("time", "entry.started", "time:entry:started"),
    ("billing", "invoice.paid", "invoice:paid"),
    ("forecasting", "project.margin_updated", "project:margin-updated"),
    ("forecasting", "alert.raised", "alert:new"),
    ("integrations", "sync.completed", "sync:completed"),
    ("identity", "member.role_changed", "member:role_changed"),
    ("capacity", "allocation.changed", "allocation:changed"),
])
def test_event_types_map_to_the_apis_names(source, event_type, expected):
    assert ws_type(source, event_type) == expected


def test_an_unknown_payload_type_gives_empty_data_plus_the_project():
    event = envelope_pb2.Envelope(id="e1", type="thing.happened", source="projects",
                                  org_id=str(uuid.uuid4()), project_id="p1",
                                  payload=any_pb2.Any(type_url="type.googleapis.com/no.Such",
                                                      value=b"\x08\x01"))
    message = json.loads(client_message(event))
    assert message["type"] == "thing:happened" and message["data"] == {"project_id": "p1"}
    assert message["ts"].endswith("Z")


def test_only_tenant_identity_events_without_secrets_are_forwarded():
    def forwarded(event_type: str, org_id: str = "o1") -> bool:
        return is_forwarded(envelope_pb2.Envelope(type=event_type, source="identity",
                                                  org_id=org_id))

    assert forwarded("member.joined") and forwarded("organization.updated")
    assert forwarded("invitation.created")
    assert not forwarded("api_key.created") and not forwarded("session.revoked")
    assert not forwarded("member.logged_in")
    assert not forwarded("signing_key.rotated", org_id="")


def test_every_generated_module_is_loaded_for_payload_lookup():
    assert load_event_types() >= 2  # at least the envelope and identity's events
    event = envelope_pb2.Envelope(type="invitation.created", source="identity", org_id="o1")
    event.payload.Pack(events_pb2.InvitationCreated())
    assert json.loads(client_message(event))["data"] == {}
