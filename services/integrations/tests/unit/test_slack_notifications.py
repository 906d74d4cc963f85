"""Slack notifications through the visibility policy, without I/O: what a channel's audience may
not read is not posted, and what it may not see is not written; only news is posted; the
project's channel wins over the connection's default; an alert goes to its owner only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from labs.billing.v1 import billing_service_pb2 as billing_pb
from labs.billing.v1 import events_pb2 as billing_events
from labs.events.v1 import envelope_pb2
from labs.forecasting.v1 import events_pb2 as forecasting_events
from labs.forecasting.v1 import forecasting_service_pb2 as forecasting_pb
from labs.projects.v1 import events_pb2 as project_events
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs_integrations.domain.connections import Connection, ConnectionStatus, Platform
from labs_integrations.domain.read_model import KnownMember, KnownProject
from labs_integrations.service_layer.slack_notifications import notify

ORG = uuid.uuid4()
PROJECT = uuid.uuid4()
ANA = uuid.uuid4()
NOW = datetime(2026, 12, 1, 10, tzinfo=UTC)


class Queue:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    async def queue(self, **row) -> bool:
        if any(r["dedupe_key"] == row["dedupe_key"] for r in self.rows):
            return False
        self.rows.append(row)
        return True


class Fake:
    def __init__(self, *, settings: dict, channel: str | None = "C0PROJECT",
                 connected: bool = True) -> None:
        connection = Connection(
            id=uuid.uuid4(), org_id=ORG, platform=Platform.SLACK,
            status=ConnectionStatus.CONNECTED, account_name="Acme", external_account_id="T1",
            settings=settings, connected_by=ANA, connected_at=NOW)
        project = KnownProject(PROJECT, ORG, "Website", None, "active", None, channel, False, NOW)
        member = KnownMember(ORG, ANA, "ana@acme.test", "Ana Diaz", "member", True, NOW)

        async def of_platform(platform):
            return (connection, b"sealed") if connected else None

        async def get_project(project_id):
            return project if project_id == PROJECT else None

        async def get_member(user_id):
            return member if user_id == ANA else None

        async def linked_to(repository):
            return []

        self.connections = SimpleNamespace(of_platform=of_platform)
        self.known_projects = SimpleNamespace(get=get_project, linked_to=linked_to)
        self.known_members = SimpleNamespace(get=get_member)
        self.slack_messages = Queue()


def envelope(source: str, kind: str, payload, *, actor: str = "") -> envelope_pb2.Envelope:
    found = envelope_pb2.Envelope(id=str(uuid.uuid4()), type=kind, source=source,
                                  org_id=str(ORG), project_id=str(PROJECT), actor_id=actor)
    found.occurred_at.FromDatetime(NOW)
    found.payload.Pack(payload)
    return found


def task(**fields) -> projects_pb.Task:
    return projects_pb.Task(id=str(uuid.uuid4()), project_id=str(PROJECT), title="Fix login",
                            status=projects_pb.TASK_STATUS_TODO,
                            priority=projects_pb.PRIORITY_MEDIUM,
                            type=projects_pb.TASK_TYPE_FEATURE, **fields)


def invoice_issued() -> envelope_pb2.Envelope:
    return envelope("billing", "invoice.issued", billing_events.InvoiceChanged(
        invoice=billing_pb.Invoice(id=str(uuid.uuid4()), number="INV-7", project_id=str(PROJECT),
                                   currency="EUR", total="12345.67", client_name="Globex",
                                   status=billing_pb.INVOICE_STATUS_SENT)))


async def posted(fake: Fake, event: envelope_pb2.Envelope) -> list[dict]:
    await notify(event, fake, now=lambda: NOW)
    return fake.slack_messages.rows


async def test_a_task_assigned_goes_to_the_projects_channel_with_the_assignees_name():
    fake = Fake(settings={"default_channel": "#general"})
    rows = await posted(fake, envelope("projects", "task.updated", project_events.TaskUpdated(
        task=task(assignee_id=str(ANA)), changed_fields=["assignee_id"])))
    assert [r["channel"] for r in rows] == ["C0PROJECT"]
    assert "Ana Diaz" in rows[0]["text"] and "Fix login" in rows[0]["text"]
    assert "Website" in rows[0]["text"]


async def test_a_task_update_that_assigns_nobody_new_is_no_news():
    fake = Fake(settings={})
    assert await posted(fake, envelope("projects", "task.updated", project_events.TaskUpdated(
        task=task(assignee_id=str(ANA)), changed_fields=["title"]))) == []
    assert await posted(fake, envelope("projects", "task.created", project_events.TaskCreated(
        task=task()))) == []


async def test_without_a_project_channel_the_default_channel_else_nothing():
    fake = Fake(settings={"default_channel": "#general"}, channel=None)
    rows = await posted(fake, envelope("projects", "task.created", project_events.TaskCreated(
        task=task(assignee_id=str(ANA)))))
    assert [r["channel"] for r in rows] == ["#general"]
    fake = Fake(settings={}, channel=None)
    assert await posted(fake, envelope("projects", "task.created", project_events.TaskCreated(
        task=task(assignee_id=str(ANA))))) == []
    fake = Fake(settings={"default_channel": "#general"}, connected=False)
    assert await posted(fake, envelope("projects", "task.created", project_events.TaskCreated(
        task=task(assignee_id=str(ANA))))) == []


async def test_a_sprint_started_and_ended():
    fake = Fake(settings={})
    sprint = projects_pb.Sprint(id=str(uuid.uuid4()), project_id=str(PROJECT), name="Sprint 4",
                                status=projects_pb.SPRINT_STATUS_ACTIVE)
    await posted(fake, envelope("projects", "sprint.updated", project_events.SprintUpdated(
        sprint=sprint, changed_fields=["status"])))
    sprint.status = projects_pb.SPRINT_STATUS_COMPLETED
    await posted(fake, envelope("projects", "sprint.updated", project_events.SprintUpdated(
        sprint=sprint, changed_fields=["status"])))
    await posted(fake, envelope("projects", "sprint.updated", project_events.SprintUpdated(
        sprint=sprint, changed_fields=["goal"])))
    texts = [r["text"] for r in fake.slack_messages.rows]
    assert len(texts) == 2 and "started" in texts[0] and "ended" in texts[1]


@pytest.mark.parametrize("audience", [None, "member", "viewer"])
async def test_a_member_audience_never_hears_of_invoices(audience):
    settings = {} if audience is None else {"audience": audience}
    assert await posted(Fake(settings=settings), invoice_issued()) == []


async def test_a_manager_audience_hears_of_invoices_with_their_amounts():
    rows = await posted(Fake(settings={"audience": "manager"}), invoice_issued())
    assert len(rows) == 1
    assert "INV-7" in rows[0]["text"] and "12345.67 EUR" in rows[0]["text"]


@pytest.mark.parametrize("audience", ["client", "nobody"])
async def test_an_audience_that_is_no_staff_role_hears_nothing(audience):
    fake = Fake(settings={"audience": audience})
    assert await posted(fake, envelope("projects", "task.created", project_events.TaskCreated(
        task=task(assignee_id=str(ANA))))) == []


async def test_an_alert_is_a_direct_message_to_its_owner_without_its_figures():
    fake = Fake(settings={"default_channel": "#general", "audience": "manager"})
    alert = forecasting_pb.Alert(id=str(uuid.uuid4()), message="Budget 90% used",
                                 project_id=str(PROJECT), user_id=str(ANA))
    alert.data.update({"margin": "12.5", "secret_cost": "99"})
    rows = await posted(fake, envelope("forecasting", "alert.slack_requested",
                                       forecasting_events.AlertRaised(alert=alert,
                                                                      user_id=str(ANA))))
    assert len(rows) == 1
    assert rows[0].get("channel") is None and rows[0]["dm_email"] == "ana@acme.test"
    assert "Budget 90% used" in rows[0]["text"]
    assert "12.5" not in rows[0]["text"] and "99" not in rows[0]["text"]


async def test_an_in_app_alert_is_not_sent_to_slack():
    fake = Fake(settings={"default_channel": "#general", "audience": "manager"})
    alert = forecasting_pb.Alert(id=str(uuid.uuid4()), message="Budget 90% used",
                                 project_id=str(PROJECT), user_id=str(ANA))
    assert await posted(fake, envelope("forecasting", "alert.raised",
                                       forecasting_events.AlertRaised(alert=alert,
                                                                      user_id=str(ANA)))) == []


async def test_the_same_event_is_queued_once():
    fake = Fake(settings={})
    event = envelope("projects", "task.created", project_events.TaskCreated(
        task=task(assignee_id=str(ANA))))
    await posted(fake, event)
    await posted(fake, event)
    assert len(fake.slack_messages.rows) == 1
