"""Envelope → WebSocket message: the API's type names, the REST object as data, the visibility
policy per reader, and which sockets want an event (no I/O)."""

from __future__ import annotations

import json
import uuid

import pytest
from google.protobuf import any_pb2, struct_pb2

from labs.billing.v1 import billing_service_pb2 as billing
from labs.billing.v1 import events_pb2 as billing_events
from labs.capacity.v1 import capacity_service_pb2 as capacity
from labs.capacity.v1 import events_pb2 as capacity_events
from labs.events.v1 import envelope_pb2
from labs.forecasting.v1 import events_pb2 as forecasting_events
from labs.forecasting.v1 import forecasting_service_pb2 as forecasting
from labs.identity.v1 import events_pb2 as identity_events
from labs.projects.v1 import events_pb2 as project_events
from labs.projects.v1 import projects_service_pb2 as projects
from labs.time.v1 import events_pb2 as time_events
from labs.time.v1 import time_service_pb2 as time
from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.visibility import Reader
from labs_gateway.schemas.billing import InvoicePublic
from labs_gateway.schemas.forecasting import AlertPublic, ForecastPublic, MarginPublic
from labs_gateway.schemas.proto_json import to_public
from labs_gateway.schemas.time import TimeEntryPublic
from labs_gateway.ws.connection import Connection
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
    ("forecasting", "project.forecast_updated", "project:forecast-updated"),
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


# Invoices: managers and the invoice's client, never members or viewers


CLIENT = str(uuid.uuid4())


def issued_invoice(project_id: str = "", client_id: str = CLIENT) -> billing.Invoice:
    return billing.Invoice(
        id="i1", number="INV-0001", status=billing.INVOICE_STATUS_SENT, client_id=client_id,
        project_id=project_id, currency="EUR", issue_date="2027-01-29", due_date="2027-02-28",
        items=[billing.InvoiceItem(id="it1", kind=billing.ITEM_KIND_TIME, description="Design",
                                   quantity="7.50", unit_price="120.00", amount="900.00",
                                   time_entry_ids=["e1"])],
        subtotal="900.00", tax_rate="0", tax_amount="0.00", total="900.00", amount_paid="0.00",
        amount_due="900.00", stripe_invoice_id="in_1", payment_url="https://pay.example/1")


def invoice_event(event_type: str, payload, project_id: str = "") -> envelope_pb2.Envelope:
    return envelope("billing", event_type, payload, project_id=project_id)


@pytest.mark.parametrize(("event_type", "expected"), [
    ("invoice.issued", "invoice:issued"), ("invoice.paid", "invoice:paid"),
    ("invoice.payment_recorded", "invoice:payment_recorded"),
    ("invoice.voided", "invoice:voided"), ("subscription.changed", "subscription:changed"),
])
def test_billing_events_follow_the_one_rule(event_type, expected):
    assert ws_type("billing", event_type) == expected


@pytest.mark.parametrize(("role", "sees"), [
    (Role.OWNER, True), (Role.ADMIN, True), (Role.MANAGER, True), (Role.CLIENT, True),
    (Role.MEMBER, False), (Role.VIEWER, False),
])
def test_an_issued_invoice_reaches_managers_and_clients_never_members_or_viewers(role, sees):
    changed = EventView.of(invoice_event(
        "invoice.issued", billing_events.InvoiceChanged(invoice=issued_invoice())))
    paid = EventView.of(invoice_event("invoice.payment_recorded", billing_events.PaymentRecorded(
        invoice=issued_invoice(), payment=billing.Payment(id="p1", amount="900.00"))))
    for view in (changed, paid):
        assert view.visible_to(Reader(role=role, user_id=ME, client_id=CLIENT)) is sees


@pytest.mark.parametrize("role", [Role.CLIENT, Role.MEMBER, Role.VIEWER])
def test_drafts_and_the_plan_are_for_managers_only(role):
    drafted = EventView.of(invoice_event(
        "invoice.created", billing_events.InvoiceDrafted(invoice=issued_invoice())))
    deleted = EventView.of(invoice_event(
        "invoice.deleted", billing_events.InvoiceDeleted(invoice_id="i1", client_id=CLIENT)))
    plan = EventView.of(invoice_event("subscription.changed", billing_events.SubscriptionChanged(
        subscription=billing.Subscription(plan=billing.PLAN_GROWTH))))
    for view in (drafted, deleted, plan):
        assert view.visible_to(reader(Role.MANAGER))
        assert not view.visible_to(Reader(role=role, user_id=ME, client_id=CLIENT))


def test_an_invoice_event_carries_the_invoice_as_rest_shows_it_to_each_reader():
    view = EventView.of(invoice_event(
        "invoice.paid", billing_events.InvoiceChanged(invoice=issued_invoice("p1")),
        project_id="p1"))
    message = json.loads(view.text_for(reader(Role.MANAGER)))
    assert message["type"] == "invoice:paid"
    staff = message["data"]
    assert staff == to_public(InvoicePublic, view.object).model_dump(mode="json") | {
        "project_id": "p1"}
    assert (staff["number"], staff["status"], staff["total"]) == ("INV-0001", "sent", "900.00")
    assert staff["stripe_invoice_id"] == "in_1" and staff["items"][0]["time_entry_ids"] == ["e1"]
    client = view.data_for(Reader(role=Role.CLIENT, user_id=ME, client_id=CLIENT))
    assert "stripe_invoice_id" not in client and "time_entry_ids" not in client["items"][0]
    assert client["payment_url"] == "https://pay.example/1" and client["amount_due"] == "900.00"


def test_a_payment_event_carries_the_invoice():
    view = EventView.of(invoice_event("invoice.payment_recorded", billing_events.PaymentRecorded(
        invoice=issued_invoice(), payment=billing.Payment(id="p1", amount="900.00"))))
    assert view.object.DESCRIPTOR.full_name == "labs.billing.v1.Invoice"
    assert view.data_for(reader(Role.MANAGER))["id"] == "i1"


def test_the_view_names_the_client_of_the_object_it_carries():
    invoice = EventView.of(invoice_event(
        "invoice.issued", billing_events.InvoiceChanged(invoice=issued_invoice())))
    assert invoice.client_id == CLIENT
    task = EventView.of(envelope("projects", "task.created", project_events.TaskCreated(
        task=projects.Task(id="t1", project_id="p1")), project_id="p1"))
    assert task.client_id == ""
    deleted = EventView.of(invoice_event(
        "invoice.deleted", billing_events.InvoiceDeleted(invoice_id="i1", client_id=CLIENT)))
    assert deleted.client_id == ""  # no object carried (and it is for managers anyway)


# Which sockets want an event: a client's, those of its projects or about its client


def socket_of(role: str, client_id: str | None = None, projects_of_client=(),
              rooms=()) -> Connection:
    principal = Principal(user_id=uuid.UUID(ME), org_id=uuid.UUID(ORG), role=Role(role),
                          token="t", client_id=uuid.UUID(client_id) if client_id else None)
    connection = Connection(websocket=None, principal=principal, queue_size=4)
    connection.client_projects |= set(projects_of_client)
    connection.rooms |= set(rooms)
    return connection


def test_a_client_socket_wants_its_projects_events_and_its_clients_objects():
    mine, theirs = "p-mine", "p-theirs"
    client = socket_of("client", CLIENT, projects_of_client={mine})
    assert client.wants_event(mine)
    assert client.wants_event(mine, CLIENT)
    assert client.wants_event("", CLIENT)  # a manual invoice of its client, no project
    assert not client.wants_event("", str(uuid.uuid4()))  # another client's invoice
    assert not client.wants_event(theirs, str(uuid.uuid4()))
    assert not client.wants_event(theirs)
    assert not client.wants_event("")  # org-wide events are not a client's
    assert not client.wants_event("", "")


def test_a_client_socket_narrowed_to_rooms_stays_narrowed():
    client = socket_of("client", CLIENT, projects_of_client={"p1", "p2"}, rooms={"p1"})
    assert client.wants_event("p1", CLIENT)
    assert not client.wants_event("p2", CLIENT) and not client.wants_event("", CLIENT)


def test_a_client_user_without_a_client_wants_no_client_objects():
    assert not socket_of("client").wants_event("", CLIENT)


@pytest.mark.parametrize("role", ["owner", "manager", "member", "viewer"])
def test_staff_sockets_are_not_filtered_by_client(role):
    staff = socket_of(role)
    assert staff.wants_event("", CLIENT) and staff.wants_event("p1", CLIENT)
    assert staff.wants_event("")


# Margins: project:margin-updated is {project_id, margin}, for managers and up


def margin_event(**fields) -> envelope_pb2.Envelope:
    values = dict(
        project_id="p1", currency="USD", budget="10000.00", revenue="1125.00",
        labor_cost="450.00", expense_cost="0.00", cost="450.00", margin_dollar="675.00",
        margin_percent="60.00", hours_logged="7.50", billable_hours="7.50",
        uncosted_hours="0.00", budget_used_percent="11.25", hours_remaining="",
        trend=forecasting.TREND_UP, updated_at={"seconds": 1_800_000_000})
    values.update(fields)
    margin = forecasting.Margin(**values)
    return envelope("forecasting", "project.margin_updated",
                    forecasting_events.MarginUpdated(project_id="p1", margin=margin),
                    project_id="p1")


def test_a_margin_update_nests_the_margin_as_rest_shows_it():
    view = EventView.of(margin_event())
    message = json.loads(view.text_for(reader(Role.MANAGER)))
    assert message["type"] == "project:margin-updated"
    data = message["data"]
    assert set(data) == {"project_id", "margin"} and data["project_id"] == "p1"
    margin = data["margin"]
    assert margin == to_public(MarginPublic, view.payload.margin).model_dump(mode="json")
    assert set(margin) == {
        "currency", "budget", "revenue", "labor_cost", "expense_cost", "cost", "margin_dollar",
        "margin_percent", "hours_logged", "billable_hours", "uncosted_hours",
        "budget_used_percent", "hours_remaining", "days_remaining", "trend", "updated_at"}
    assert (margin["hours_logged"], margin["billable_hours"], margin["uncosted_hours"]) == (
        7.5, 7.5, 0.0)
    assert (margin["revenue"], margin["cost"], margin["margin_dollar"]) == (
        "1125.00", "450.00", "675.00")
    assert margin["margin_percent"] == "60.00" and margin["trend"] == "up"
    assert margin["hours_remaining"] is None and margin["days_remaining"] is None
    assert margin["updated_at"].startswith("2027-01-15T")
    assert "project_id" not in margin


def test_a_margin_without_revenue_has_a_null_percent_and_its_days_remaining():
    data = EventView.of(margin_event(revenue="0.00", margin_percent="", days_remaining=-3,
                                     hours_remaining="12.50", budget="", budget_used_percent="",
                                     trend=forecasting.TREND_STABLE)
                        ).data_for(reader(Role.OWNER))
    margin = data["margin"]
    assert (margin["margin_percent"], margin["budget"], margin["budget_used_percent"]) == (
        None, None, None)
    assert (margin["days_remaining"], margin["hours_remaining"], margin["trend"]) == (
        -3, 12.5, "stable")


@pytest.mark.parametrize(("role", "sees"), [
    (Role.OWNER, True), (Role.ADMIN, True), (Role.MANAGER, True), (Role.MEMBER, False),
    (Role.VIEWER, False), (Role.CLIENT, False),
])
def test_a_margin_update_reaches_managers_and_up_only(role, sees):
    view = EventView.of(margin_event())
    assert view.visible_to(Reader(role=role, user_id=ME, client_id=CLIENT)) is sees
    assert view.client_id == ""


def test_an_organization_opening_financials_to_members_shows_them_the_same_margin():
    """Were the record opened further, the margin's money figures follow the reader's view."""
    view = EventView.of(margin_event())
    opened = Reader(role=Role.MEMBER, user_id=ME, financials_from=Role.MEMBER)
    assert view.data_for(opened) == view.data_for(reader(Role.MANAGER))
    hidden = view.data_for(reader(Role.MEMBER))
    assert "margin" not in hidden and hidden["project_id"] == "p1"


# Forecasts: project:forecast-updated is {project_id, forecast}, for managers and up


def forecast_event(**fields) -> envelope_pb2.Envelope:
    values = dict(
        project_id="p1", as_of={"seconds": 1_800_000_000}, forecast_margin="27.40",
        forecast_margin_dollar="2740.00", forecast_low="18.10", forecast_high="33.90",
        forecast_confidence=72, estimate_at_completion="7260.00", hours_at_completion="96.50",
        method="ets+allocations", risk_score=6,
        risk_factors=[forecasting.RiskFactor(factor="burn_rate", contribution="5", detail="")],
        recommendation="Rebalance.",
        recommendations=[forecasting.Recommendation(action="rebalance", detail="",
                                                    impact="+6 points of margin")],
        currency="USD")
    values.update(fields)
    return envelope("forecasting", "project.forecast_updated",
                    forecasting_events.ForecastUpdated(
                        project_id="p1", forecast=forecasting.Forecast(**values)),
                    project_id="p1")


def test_a_forecast_update_nests_the_forecast_as_rest_shows_it():
    view = EventView.of(forecast_event())
    message = json.loads(view.text_for(reader(Role.MANAGER)))
    assert message["type"] == "project:forecast-updated"
    data = message["data"]
    assert set(data) == {"project_id", "forecast"} and data["project_id"] == "p1"
    forecast = data["forecast"]
    assert forecast == to_public(ForecastPublic, view.payload.forecast).model_dump(mode="json")
    assert set(forecast) == {
        "project_id", "as_of", "forecast_margin", "forecast_margin_dollar", "forecast_low",
        "forecast_high", "forecast_confidence", "estimate_at_completion", "hours_at_completion",
        "method", "risk_score", "risk_factors", "recommendation", "recommendations"}
    assert (forecast["forecast_low"], forecast["forecast_margin"], forecast["forecast_high"]) == (
        "18.10", "27.40", "33.90")
    assert forecast["hours_at_completion"] == 96.5 and forecast["risk_score"] == 6
    assert forecast["risk_factors"] == [{"factor": "burn_rate", "contribution": "5",
                                         "detail": None}]
    assert forecast["as_of"].startswith("2027-01-15T")


@pytest.mark.parametrize(("role", "sees"), [
    (Role.OWNER, True), (Role.ADMIN, True), (Role.MANAGER, True), (Role.MEMBER, False),
    (Role.VIEWER, False), (Role.CLIENT, False),
])
def test_a_forecast_update_reaches_managers_and_up_only(role, sees):
    view = EventView.of(forecast_event())
    assert view.visible_to(Reader(role=role, user_id=ME, client_id=CLIENT)) is sees


# Alerts: alert:new is the alert as GET /alerts shows it, for its user only


FOR_WHOM = str(uuid.uuid4())


def alert_event(user_id: str = FOR_WHOM, alert_user_id: str | None = None
                ) -> envelope_pb2.Envelope:
    data = struct_pb2.Struct()
    data.update({"margin_percent": "27.40", "threshold": "30"})
    alert = forecasting.Alert(
        id="a1", type=forecasting.ALERT_TYPE_MARGIN_THRESHOLD,
        severity=forecasting.SEVERITY_CRITICAL, message="Margin below 30 %.", project_id="p1",
        data=data, created_at={"seconds": 1_800_000_000},
        user_id=user_id if alert_user_id is None else alert_user_id)
    # The actor (ME) is whoever logged the time that raised it, not whom it is for.
    return envelope("forecasting", "alert.raised",
                    forecasting_events.AlertRaised(alert=alert, user_id=user_id),
                    project_id="p1")


def test_a_raised_alert_is_alert_new_with_the_alert_as_rest_shows_it():
    view = EventView.of(alert_event())
    manager = Reader(role=Role.MANAGER, user_id=FOR_WHOM)
    message = json.loads(view.text_for(manager))
    assert message["type"] == "alert:new"
    data = message["data"]
    assert data == to_public(AlertPublic, view.payload.alert).model_dump(mode="json")
    assert data == {"id": "a1", "type": "margin_threshold", "severity": "critical",
                    "message": "Margin below 30 %.", "project_id": "p1", "resource_id": None,
                    "invoice_id": None, "data": {"margin_percent": "27.40", "threshold": "30"},
                    "is_read": False, "action_taken": None,
                    "created_at": data["created_at"]}
    assert data["created_at"].startswith("2027-01-15T") and "user_id" not in data


@pytest.mark.parametrize("role", list(Role))
def test_a_raised_alert_reaches_its_user_only_whatever_the_role(role):
    view = EventView.of(alert_event())
    assert view.owner_id == FOR_WHOM
    assert view.visible_to(Reader(role=role, user_id=FOR_WHOM, client_id=CLIENT))
    assert not view.visible_to(Reader(role=role, user_id=str(uuid.uuid4()), client_id=CLIENT))
    # Not even to whoever caused it (the envelope's actor).
    assert not view.visible_to(Reader(role=role, user_id=ME, client_id=CLIENT))


def test_an_alert_event_without_its_user_falls_back_to_the_alerts_never_the_actor():
    view = EventView.of(alert_event(user_id="", alert_user_id=FOR_WHOM))
    assert view.owner_id == FOR_WHOM
    nobodys = EventView.of(alert_event(user_id="", alert_user_id=""))
    assert nobodys.owner_id == ""
    for role in Role:
        assert not nobodys.visible_to(Reader(role=role, user_id=ME))
        assert not nobodys.visible_to(Reader(role=role, user_id=""))


def test_other_records_still_fall_back_to_their_actor():
    entry = time.TimeEntry(id="e1", project_id="p1", hours="1.00")
    view = EventView.of(envelope("time", "entry.created",
                                 time_events.EntryChanged(entry=entry), project_id="p1"))
    assert view.owner_id == ME
