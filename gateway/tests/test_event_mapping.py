"""Envelope → WebSocket message: the API's type names, the REST object as data, and the
visibility policy per reader (no I/O)."""

from __future__ import annotations

import json
import uuid

import pytest
from google.protobuf import any_pb2

from labs.capacity.v1 import capacity_service_pb2 as capacity
from labs.capacity.v1 import events_pb2 as capacity_events
from labs.events.v1 import envelope_pb2
from labs.identity.v1 import events_pb2 as identity_events
from labs.projects.v1 import events_pb2 as project_events
from labs.projects.v1 import projects_service_pb2 as projects
from labs.time.v1 import events_pb2 as time_events
from labs.time.v1 import time_service_pb2 as time
from labs_common.auth.roles import Role
from labs_common.visibility import Reader
from labs_gateway.schemas.proto_json import to_public
from labs_gateway.schemas.time import TimeEntryPublic
from labs_gateway.ws.events import EventView, load_event_types, ws_type

ORG = str(uuid.uuid4())
ME = str(uuid.uuid4())


@pytest.mark.parametrize(("source", "event_type", "expected"), [
    ("projects", "task.created", "task:created"),
    ("projects", "project.status_changed", "project:status:changed"),
    ("time", "entry.started", "time:entry:started"),
    ("time", "entry.updated", "time:entry:updated"),
    ("time", "expense.recorded", "expense:recorded"),
    ("billing", "invoice.paid", "invoice:paid"),
    ("forecasting", "project.margin_updated", "project:margin-updated"),
    ("forecasting", "alert.raised", "alert:new"),
    ("integrations", "sync.completed", "sync:completed"),
    ("identity", "member.role_changed", "member:role_changed"),
    ("capacity", "allocation.changed", "allocation:changed"),
])
def test_event_types_map_to_the_apis_names(source, event_type, expected):
    assert ws_type(source, event_type) == expected


def envelope(source: str, event_type: str, payload, project_id: str = "") -> envelope_pb2.Envelope:
    event = envelope_pb2.Envelope(id=str(uuid.uuid4()), type=event_type, source=source,
                                  org_id=ORG, project_id=project_id, actor_id=ME)
    event.payload.Pack(payload)
    return event


def reader(role: Role) -> Reader:
    return Reader(role=role, user_id=ME)


def test_an_unknown_payload_type_reaches_nobody():
    event = envelope_pb2.Envelope(id="e1", type="thing.happened", source="projects", org_id=ORG,
                                  payload=any_pb2.Any(type_url="type.googleapis.com/no.Such",
                                                      value=b"\x08\x01"))
    assert EventView.of(event) is None


def test_platform_wide_events_reach_nobody():
    event = envelope("identity", "signing_key.rotated", identity_events.SigningKeyRotated(kid="k"))
    event.org_id = ""
    assert EventView.of(event) is None


def test_a_task_event_carries_the_task_as_rest_shows_it():
    task = projects.Task(id="t1", project_id="p1", title="Ship", estimated_hours="2.5",
                         status=projects.TASK_STATUS_IN_PROGRESS, priority=projects.PRIORITY_HIGH,
                         type=projects.TASK_TYPE_BUG)
    view = EventView.of(envelope("projects", "task.updated",
                                 project_events.TaskUpdated(task=task, changed_fields=["status"]),
                                 project_id="p1"))
    message = json.loads(view.text_for(reader(Role.MEMBER)))
    assert message["type"] == "task:updated" and message["ts"].endswith("Z")
    data = message["data"]
    assert data["id"] == "t1" and data["status"] == "in_progress"
    assert data["estimated_hours"] == 2.5 and data["project_id"] == "p1"


def entry_event(user_id: str) -> envelope_pb2.Envelope:
    entry = time.TimeEntry(id="e1", project_id="p1", user_id=user_id, date_worked="2026-11-30",
                           hours="2", rounded_hours="2", billable=True, billable_rate="150",
                           cost_rate="80", currency="USD", notes="pairing",
                           status=time.ENTRY_STATUS_DRAFT)
    return envelope("time", "entry.created",
                    time_events.EntryChanged(entry_id="e1", user_id=user_id, cost_rate="80",
                                             entry=entry), project_id="p1")


def test_a_time_entry_is_the_rest_object_and_its_cost_rate_is_for_managers():
    view = EventView.of(entry_event(ME))
    rest = to_public(TimeEntryPublic, view.object).model_dump(mode="json")
    manager = view.data_for(reader(Role.MANAGER))
    assert manager == rest | {"project_id": "p1"} and manager["cost_rate"] == "80"
    member = view.data_for(reader(Role.MEMBER))
    assert "cost_rate" not in member
    assert member == {k: v for k, v in manager.items() if k != "cost_rate"}


@pytest.mark.parametrize(("role", "own", "others"), [
    (Role.OWNER, True, True), (Role.MANAGER, True, True), (Role.MEMBER, True, False),
    (Role.VIEWER, False, False), (Role.CLIENT, False, False),
])
def test_time_entries_reach_managers_and_their_own_member(role, own, others):
    assert EventView.of(entry_event(ME)).visible_to(reader(role)) is own
    assert EventView.of(entry_event(str(uuid.uuid4()))).visible_to(reader(role)) is others


def test_one_rendering_per_view():
    view = EventView.of(entry_event(ME))
    owner, admin = Reader(role=Role.OWNER, user_id="a"), Reader(role=Role.ADMIN, user_id="b")
    assert view.text_for(owner) is view.text_for(admin)
    assert view.text_for(owner) != view.text_for(reader(Role.MEMBER))


def test_a_payload_without_an_api_object_keeps_its_fields_with_hours_as_numbers():
    payload = capacity_events.ResourceOverAllocated(
        resource_id="r1", name="Ada", week_start="2026-11-30", available_hours="32.00",
        allocated_hours="40.50")
    data = EventView.of(envelope("capacity", "resource.over_allocated", payload)
                        ).data_for(reader(Role.MEMBER))
    assert data == {"resource_id": "r1", "name": "Ada", "week_start": "2026-11-30",
                    "available_hours": 32.0, "allocated_hours": 40.5}


def test_an_allocation_event_carries_the_allocation_not_the_rates_behind_it():
    payload = capacity_events.AllocationChanged(
        change=capacity_events.ALLOCATION_CHANGE_CREATED,
        allocation=capacity.Allocation(id="a1", resource_id="r1", project_id="p1",
                                       allocated_hours="10", start_date="2026-11-30",
                                       end_date="2026-12-31"),
        billing_rate="150", cost_rate="80", rates=[capacity.Rate(billing_rate="150",
                                                                 cost_rate="80")])
    view = EventView.of(envelope("capacity", "allocation.changed", payload, project_id="p1"))
    for role in (Role.OWNER, Role.MEMBER):
        data = view.data_for(reader(role))
        assert data["id"] == "a1" and data["allocated_hours"] == 10.0
        assert "cost_rate" not in data and "rates" not in data
    assert not view.visible_to(reader(Role.CLIENT))


def test_identity_events_about_sessions_and_keys_reach_nobody():
    for event_type, payload in [("member.logged_in", identity_events.MemberLoggedIn()),
                                ("session.revoked", identity_events.SessionRevoked()),
                                ("api_key.created", identity_events.ApiKeyCreated())]:
        view = EventView.of(envelope("identity", event_type, payload))
        assert not any(view.visible_to(reader(role)) for role in Role)


def test_every_generated_module_is_loaded_for_payload_lookup():
    assert load_event_types() >= 2  # at least the envelope and identity's events
