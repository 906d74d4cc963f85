"""Alerts in memory, driven by real envelopes through the consumers: subscriptions per user (the
same triple answers the existing one; a client is refused; the money rules need financials),
the margin and budget rules raised once per state as entries arrive, cleared and raised again,
delivered as alert.raised (in-app) or alert.mail_requested (email, unless the member's
preferences switch email off); over-allocation and overdue invoices; the caller's own alerts
only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from forecasting_fakes import FakeForecastingUnitOfWork

from labs.billing.v1 import billing_service_pb2 as billing_pb
from labs.billing.v1 import events_pb2 as billing_events
from labs.capacity.v1 import events_pb2 as capacity_events
from labs.events.v1 import envelope_pb2
from labs.identity.v1 import events_pb2 as identity_events
from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.projects.v1 import events_pb2 as projects_events
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs.time.v1 import events_pb2 as time_events
from labs.time.v1 import time_service_pb2 as time_pb
from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.db.uow import Scope
from labs_common.errors import NotFound, PermissionDenied
from labs_forecasting.entrypoints import consumers
from labs_forecasting.service_layer import alerts

D = Decimal
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ORG = uuid.uuid4()


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def as_(work, role: Role, user_id: uuid.UUID | None = None) -> FakeForecastingUnitOfWork:
    """The same in-memory state, seen by another caller."""
    principal = Principal(user_id=user_id or uuid.uuid4(), org_id=ORG, role=role, token="t")
    work.scope = Scope.of_caller(principal)
    return work


def envelope(event_type, payload, when) -> envelope_pb2.Envelope:
    found = envelope_pb2.Envelope(id=str(uuid.uuid4()), type=event_type,
                                  source=event_type.split(".")[0], org_id=str(ORG))
    found.occurred_at.FromDatetime(when)
    found.payload.Pack(payload)
    return found


async def project(work, budget="10000.00") -> uuid.UUID:
    project_id = uuid.uuid4()
    payload = projects_events.ProjectCreated(project=projects_pb.Project(
        id=str(project_id), name="Relaunch", client_name="Acme",
        budget_type=projects_pb.BUDGET_TYPE_TIME_AND_MATERIALS, budget_total=budget,
        budget_currency="USD", status=projects_pb.PROJECT_STATUS_ACTIVE))
    await consumers.on_project(envelope("project.created", payload, T0), work)
    return project_id


async def entry(work, project_id, hours, rate, cost, when):
    entry_id = uuid.uuid4()
    payload = time_events.EntryChanged(
        entry_id=str(entry_id), project_id=str(project_id), date_worked="2026-03-02",
        hours=hours, rounded_hours=hours, billable=True, billable_rate=rate, cost_rate=cost,
        currency="USD", entry=time_pb.TimeEntry(id=str(entry_id), project_id=str(project_id)))
    await consumers.on_entry(envelope("entry.created", payload, when), work)


async def member(work, user_id, role=identity_pb.ROLE_MANAGER, email="pm@example.com"):
    payload = identity_events.MemberJoined(member=identity_pb.Member(
        user=identity_pb.User(id=str(user_id), email=email, first_name="Pat"), role=role))
    await consumers.on_member(envelope("member.joined", payload, T0), work)


async def subscribe(work, alert_type, delivery="in_app", threshold=None, project_id=None):
    return await alerts.create_subscription(alerts.CreateAlertSubscription(
        alert_type, delivery, threshold, project_id), work)


def raised(work, kind="alert.raised"):
    return work.outbox.of_type(kind)


@pytest.fixture
def pm():
    return uuid.uuid4()


@pytest.fixture
def work(pm):
    return as_(FakeForecastingUnitOfWork(Scope(org_id=ORG)), Role.MANAGER, pm)


async def test_the_same_triple_answers_the_existing_subscription(work):
    first, created = await subscribe(work, "margin_threshold")
    assert created and first.threshold_value == D("20")
    again, created = await subscribe(work, "margin_threshold")
    assert not created and again.id == first.id
    other, created = await subscribe(work, "margin_threshold", "email")
    assert created and other.id != first.id
    risk, _ = await subscribe(work, "risk_score")
    assert risk.threshold_value == D("7")
    burn, _ = await subscribe(work, "budget_burn")
    assert burn.threshold_value is None  # the 50/75/90/100 steps
    assert alerts.subscription_proto(first).threshold_value == "20"


async def test_a_client_is_refused_and_margins_need_financials(work):
    with pytest.raises(PermissionDenied):
        await subscribe(as_(work, Role.CLIENT), "over_allocation")
    with pytest.raises(PermissionDenied):
        await subscribe(as_(work, Role.MEMBER), "margin_threshold")
    _, created = await subscribe(as_(work, Role.VIEWER), "over_allocation")
    assert created


async def test_margin_alert_raised_once_cleared_and_raised_again(work, pm):
    await member(work, pm)
    project_id = await project(work)
    await subscribe(work, "margin_threshold")
    await entry(work, project_id, "10.00", "100.00", "90.00", at(1))  # margin 10 %
    (first,) = raised(work)
    assert first.user_id == str(pm)
    assert first.alert.severity == alerts.pb.SEVERITY_CRITICAL
    assert first.alert.project_id == str(project_id)
    assert "below 20%" in first.alert.message
    await entry(work, project_id, "1.00", "100.00", "90.00", at(2))  # one more hour: 10 %
    assert len(raised(work)) == 1
    await entry(work, project_id, "10.00", "150.00", "0.00", at(3))  # 64 %: cleared
    assert len(raised(work)) == 1
    await entry(work, project_id, "100.00", "100.00", "95.00", at(4))  # 16.8 %: again
    assert len(raised(work)) == 2
    listed, unread = await alerts.list_alerts(alerts.ListAlerts(limit=10), work)
    assert unread == 2 and [a.severity for a in listed] == ["critical", "critical"]


async def test_budget_steps_by_email_and_preferences(work, pm):
    await member(work, pm)
    project_id = await project(work)
    await subscribe(work, "budget_burn", "email")
    await entry(work, project_id, "55.00", "100.00", "10.00", at(1))  # 55 %
    await entry(work, project_id, "1.00", "100.00", "10.00", at(2))  # 56 %
    await entry(work, project_id, "40.00", "100.00", "10.00", at(3))  # 96 %
    mails = raised(work, "alert.mail_requested")
    assert [m.alert.data["state"] for m in mails] == ["step:50", "step:90"]
    assert raised(work) == []  # no in-app subscription
    work.members.rows[pm].preferences = {"email": False}
    await entry(work, project_id, "10.00", "100.00", "10.00", at(4))  # 106 %
    assert len(raised(work, "alert.mail_requested")) == 2  # email off: no mail...
    listed, _ = await alerts.list_alerts(alerts.ListAlerts(limit=10), work)
    assert listed[0].severity == "critical"  # ...but the alert is still listed


async def test_a_member_demoted_below_financials_hears_no_more(work, pm):
    await member(work, pm)
    project_id = await project(work)
    await subscribe(work, "margin_threshold")
    changed = identity_events.MemberRoleChanged(user_id=str(pm), new_role=identity_pb.ROLE_MEMBER)
    await consumers.on_member(envelope("member.role_changed", changed, at(1)), work)
    await entry(work, project_id, "10.00", "100.00", "90.00", at(2))
    assert raised(work) == []


async def test_slack_is_asked_of_integrations_and_project_subscriptions_stay_on_their_project(
        work, pm):
    await member(work, pm)
    watched, other = await project(work), await project(work)
    await subscribe(work, "margin_threshold", "slack", project_id=other)
    await subscribe(work, "margin_threshold", "in_app", project_id=watched)
    await entry(work, other, "10.00", "100.00", "90.00", at(1))
    assert raised(work) == [] and len(work.alerts.rows) == 1
    (asked,) = work.outbox.of_type("alert.slack_requested")
    assert asked.user_id == str(pm) and asked.alert.project_id == str(other)
    await entry(work, watched, "10.00", "100.00", "90.00", at(2))
    assert len(raised(work)) == 1 and len(work.alerts.rows) == 2


async def test_over_allocation_per_resource_week(work, pm):
    resource_id = uuid.uuid4()
    await subscribe(work, "over_allocation")
    over = capacity_events.ResourceOverAllocated(
        resource_id=str(resource_id), name="Ada", week_start="2026-03-02",
        available_hours="40", allocated_hours="52")
    await consumers.on_resource(envelope("resource.over_allocated", over, at(1)), work)
    await consumers.on_resource(envelope("resource.over_allocated", over, at(2)), work)
    (alert,) = raised(work)
    assert alert.alert.resource_id == str(resource_id) and "Ada" in alert.alert.message
    resolved = capacity_events.ResourceOverAllocationResolved(
        resource_id=str(resource_id), name="Ada", week_start="2026-03-02",
        available_hours="40", allocated_hours="36")
    await consumers.on_resource(envelope("resource.over_allocation_resolved", resolved, at(3)),
                                work)
    await consumers.on_resource(envelope("resource.over_allocated", over, at(4)), work)
    assert len(raised(work)) == 2


async def test_overdue_invoice(work, pm):
    project_id = await project(work)
    await subscribe(work, "invoice_overdue")
    invoice = billing_pb.Invoice(id=str(uuid.uuid4()), number="INV-7", project_id=str(project_id),
                                 status=billing_pb.INVOICE_STATUS_OVERDUE, currency="USD",
                                 total="900.00", amount_due="900.00", due_date="2026-02-01")
    await consumers.on_invoice(envelope("invoice.overdue", billing_events.InvoiceChanged(
        invoice=invoice), at(1)), work)
    (alert,) = raised(work)
    assert alert.alert.invoice_id == invoice.id and "INV-7" in alert.alert.message
    invoice.status = billing_pb.INVOICE_STATUS_PAID
    await consumers.on_invoice(envelope("invoice.paid", billing_events.InvoiceChanged(
        invoice=invoice), at(2)), work)
    assert len(raised(work)) == 1


async def test_only_the_callers_own_alerts(work, pm):
    await member(work, pm)
    project_id = await project(work)
    await subscribe(work, "margin_threshold")
    await entry(work, project_id, "10.00", "100.00", "90.00", at(1))
    (alert_id,) = work.alerts.rows
    someone = as_(work, Role.OWNER)
    with pytest.raises(NotFound):
        await alerts.update_alert(alerts.UpdateAlert(alert_id, is_read=True), someone)
    with pytest.raises(NotFound):
        await alerts.delete_alert(alerts.DeleteAlert(alert_id), someone)
    assert await alerts.list_alerts(alerts.ListAlerts(limit=10), someone) == ([], 0)
    mine = as_(work, Role.MANAGER, pm)
    updated = await alerts.update_alert(alerts.UpdateAlert(
        alert_id, is_read=True, action_taken="moved 20 h to a mid-level"), mine)
    assert updated.is_read and updated.action_taken.startswith("moved")
    listed, unread = await alerts.list_alerts(alerts.ListAlerts(limit=10, unread=True), mine)
    assert (listed, unread) == ([], 0)
    await alerts.delete_alert(alerts.DeleteAlert(alert_id), mine)
    assert work.alerts.rows == {}


async def test_the_forecast_hook_judges_the_risk_score_once_per_state(work, pm):
    await member(work, pm)
    project_id = await project(work)
    await subscribe(work, "risk_score")
    await subscribe(work, "margin_threshold")
    await alerts.forecast_changed(work, project_id, risk_score=5, forecast_margin=D("30"))
    assert raised(work) == []
    # A forecast margin under the threshold weighs in the risk score; it is no alert of its own.
    await alerts.forecast_changed(work, project_id, risk_score=8, forecast_margin=D("12"))
    assert [e.alert.type for e in raised(work)] == [alerts.pb.ALERT_TYPE_RISK_SCORE]
    await alerts.forecast_changed(work, project_id, risk_score=9, forecast_margin=D("11"))
    assert len(raised(work)) == 1


async def test_no_rule_is_judged_while_a_rebuild_defers_the_announcement(work, pm):
    await member(work, pm)
    project_id = await project(work)
    await subscribe(work, "margin_threshold")
    deferred = work.outbox

    class Deferring:
        async def add(self, event_type, payload, **options):
            if event_type == "project.margin_updated":
                return None
            return await deferred.add(event_type, payload, **options)

    work.outbox = Deferring()
    await entry(work, project_id, "10.00", "100.00", "90.00", at(1))
    work.outbox = deferred
    assert raised(work) == [] and work.alert_states.rows == {}
