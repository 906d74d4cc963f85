"""Slack on real PostgreSQL and NATS with the fake Slack (slack-sdk talking to it over HTTP):
slash commands refused unless signed and fresh; a workspace → its org, a Slack user → the
member by email (asked of Slack once, then cached); `/labs time` runs as the member with a
delegated token from the real identity (time's stub is replaced by a recorder: time's own rules
are the end-to-end test's); a slow command answers at once and follows on response_url;
notifications reach the project's channel through the visibility policy; Slack down delays a
message, never loses it; the weekday reminder, with a fixed clock. Each test has its own org
and workspace."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, date, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import grpc
import pytest
from sqlalchemy import select

from labs.billing.v1 import billing_service_pb2 as billing_pb
from labs.billing.v1 import events_pb2 as billing_events
from labs.events.v1 import envelope_pb2
from labs.identity.v1 import events_pb2 as identity_events
from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.integrations.v1 import integrations_service_pb2 as pb
from labs.projects.v1 import events_pb2 as project_events
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs.time.v1 import events_pb2 as time_events
from labs.time.v1 import time_service_pb2 as time_pb
from labs_common.auth.principal import current_principal
from labs_common.db.tables import processed_events
from labs_common.db.uow import Scope
from labs_common.events.outbox import subject_for
from labs_common.testing.fake_slack import FakeSlack

PASSWORD = "correct horse battery"
DEADLINE = 20.0


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


async def until(check, what: str, deadline: float = DEADLINE):
    end = time.monotonic() + deadline
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() > end:
            raise AssertionError(f"timed out: {what}")
        await asyncio.sleep(0.05)


def parts(integrations):
    return integrations.runtime.extras["parts"]


async def publish(js, source: str, org_id: str, event_type: str, payload, *,
                  project_id: str = "") -> envelope_pb2.Envelope:
    envelope = envelope_pb2.Envelope(id=str(uuid.uuid4()), type=event_type, source=source,
                                     org_id=org_id, project_id=project_id)
    envelope.occurred_at.FromDatetime(datetime.now(UTC))
    envelope.payload.Pack(payload)
    await js.publish(subject_for(source, uuid.UUID(org_id), envelope.type),
                     envelope.SerializeToString(), headers={"Nats-Msg-Id": envelope.id})
    return envelope


class Agency:
    """An org with its owner and a member, Slack connected with a workspace of their own."""

    def __init__(self, owner: identity_pb.Session, member: identity_pb.Session, team_id: str,
                 token: str, member_slack_id: str) -> None:
        self.owner, self.member = owner, member
        self.org_id = owner.organization.id
        self.team_id, self.token, self.member_slack_id = team_id, token, member_slack_id


async def known_member(integrations, org_id: str, user_id: str) -> None:
    async def check():
        async with integrations.runtime.uow(Scope(org_id=uuid.UUID(org_id))) as uow:
            return await uow.known_members.get(uuid.UUID(user_id))
    await until(check, f"member {user_id} in the read model")


@pytest.fixture
async def agency(identity_stub, stub, integrations, fake_slack: FakeSlack) -> Agency:
    signup = await identity_stub.Signup(identity_pb.SignupRequest(
        email=f"owner-{uuid.uuid4().hex[:8]}@example.com", password=PASSWORD,
        organization_name="Agency"))
    owner = signup.session
    email = f"ana-{uuid.uuid4().hex[:8]}@example.com"
    invited = await identity_stub.CreateInvitation(identity_pb.CreateInvitationRequest(
        email=email, role=identity_pb.ROLE_MEMBER), metadata=bearer(owner.access_token))
    member = (await identity_stub.AcceptInvitation(identity_pb.AcceptInvitationRequest(
        token=invited.token, password=PASSWORD))).session
    team_id = f"T{uuid.uuid4().hex[:8].upper()}"
    token = f"xoxb-{uuid.uuid4().hex}"
    fake_slack.add_workspace(token, team_id, f"Agency {team_id}")
    slack_id = f"U{uuid.uuid4().hex[:8].upper()}"
    fake_slack.add_user(slack_id, email.upper(), "ana", team_id=team_id)
    fake_slack.add_user(f"U{uuid.uuid4().hex[:8].upper()}", owner.user.email, "owner",
                        team_id=team_id)
    await stub.ConnectWithToken(pb.ConnectWithTokenRequest(
        platform=pb.PLATFORM_SLACK, access_token=token), metadata=bearer(owner.access_token))
    await known_member(integrations, owner.organization.id, member.user.id)
    return Agency(owner, member, team_id, token, slack_id)


async def project(js, integrations, agency: Agency, name: str, channel: str = ""
                  ) -> projects_pb.Project:
    found = projects_pb.Project(id=str(uuid.uuid4()), name=name,
                                status=projects_pb.PROJECT_STATUS_ACTIVE,
                                slack_channel_id=channel)
    await publish(js, "projects", agency.org_id, "project.created",
                  project_events.ProjectCreated(project=found), project_id=found.id)

    async def check():
        async with integrations.runtime.uow(Scope(org_id=uuid.UUID(agency.org_id))) as uow:
            return await uow.known_projects.get(uuid.UUID(found.id))
    await until(check, f"project {name} in the read model")
    return found


async def command(stub, fake_slack: FakeSlack, agency: Agency, text: str, **options):
    sent, body = fake_slack.command_request("http://labs.test/api/v1/webhooks/slack", text,
                                            user_id=options.pop("user_id",
                                                                agency.member_slack_id),
                                            team_id=options.pop("team_id", agency.team_id),
                                            **options)
    answer = await stub.ReceiveSlackCommand(pb.ReceiveSlackCommandRequest(
        body=body, signature=sent.headers["X-Slack-Signature"],
        timestamp=sent.headers["X-Slack-Request-Timestamp"]))
    return answer, sent


class RecordingTime:
    """time's stub, recording each CreateTimeEntry and who it ran as; a call with an
    Idempotency-Key seen before answers the first one's response (as time does)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.calls: list[tuple[time_pb.CreateTimeEntryRequest, object]] = []
        self.keys: list[str | None] = []
        self.answered: dict[str, time_pb.CreateTimeEntryResponse] = {}
        self.delay = delay

    async def CreateTimeEntry(self, request, metadata=(), **_options):
        key = dict(metadata or ()).get("idempotency-key")
        if key is not None and key in self.answered:
            return self.answered[key]
        self.calls.append((request, current_principal()))
        self.keys.append(key)
        await asyncio.sleep(self.delay)
        answer = time_pb.CreateTimeEntryResponse(entry=time_pb.TimeEntry(
            id=str(uuid.uuid4()), project_id=request.project_id, hours=request.hours,
            notes=request.notes, date_worked=request.date_worked))
        if key is not None:
            self.answered[key] = answer
        return answer


@pytest.fixture
def recording_time(integrations):
    commands = parts(integrations).slack_commands
    real = commands._time
    recorder = commands._time = RecordingTime()
    yield recorder
    commands._time = real
    commands.answer_seconds = 2.0


async def test_unsigned_forged_and_stale_commands_are_refused(stub, fake_slack, agency):
    sent, body = fake_slack.command_request("http://labs.test/x", "help",
                                            user_id=agency.member_slack_id,
                                            team_id=agency.team_id)
    ts = sent.headers["X-Slack-Request-Timestamp"]
    forged, _ = fake_slack.command_request("http://labs.test/x", "help", user_id="U1",
                                           team_id=agency.team_id, secret="not the secret")
    stale_ts = str(int(time.time()) - 600)
    stale, stale_body = fake_slack.command_request("http://labs.test/x", "help", user_id="U1",
                                                   team_id=agency.team_id, timestamp=stale_ts)
    future_ts = str(int(time.time()) + 600)
    future, future_body = fake_slack.command_request("http://labs.test/x", "help",
                                                     user_id="U1", team_id=agency.team_id,
                                                     timestamp=future_ts)
    for request in (
        pb.ReceiveSlackCommandRequest(body=body, signature="", timestamp=ts),
        pb.ReceiveSlackCommandRequest(body=body, signature=forged.headers["X-Slack-Signature"],
                                      timestamp=ts),
        pb.ReceiveSlackCommandRequest(body=body + b"&text=status",
                                      signature=sent.headers["X-Slack-Signature"],
                                      timestamp=ts),
        pb.ReceiveSlackCommandRequest(body=stale_body,
                                      signature=stale.headers["X-Slack-Signature"],
                                      timestamp=stale_ts),
        pb.ReceiveSlackCommandRequest(body=future_body,
                                      signature=future.headers["X-Slack-Signature"],
                                      timestamp=future_ts),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.ReceiveSlackCommand(request)
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
    answer = await stub.ReceiveSlackCommand(pb.ReceiveSlackCommandRequest(
        body=body, signature=sent.headers["X-Slack-Signature"], timestamp=ts))
    assert answer.response_type == "ephemeral" and "/labs time" in answer.text


async def test_an_unknown_workspace_and_an_unknown_email_are_told_so(stub, fake_slack, agency):
    answer, _ = await command(stub, fake_slack, agency, "status Website", team_id="T0NOBODY")
    assert answer.text == "This Slack workspace is not connected to Labs."
    stranger = f"U{uuid.uuid4().hex[:8].upper()}"
    fake_slack.add_user(stranger, "stranger@elsewhere.test", "stranger", team_id=agency.team_id)
    answer, _ = await command(stub, fake_slack, agency, "status Website", user_id=stranger)
    assert "stranger@elsewhere.test" in answer.text


async def test_time_is_logged_as_the_member_and_the_slack_user_is_asked_once(
        stub, fake_slack, agency, integrations, integrations_js, recording_time):
    site = await project(integrations_js, integrations, agency, "Client Site")
    await project(integrations_js, integrations, agency, "Client Site Redesign")
    before = len(fake_slack.api_calls("users.info"))
    started = time.monotonic()
    answer, _ = await command(stub, fake_slack, agency, "time 2h client site fixed login")
    assert time.monotonic() - started < 3
    assert "Logged 2 h on *Client Site*" in answer.text, answer.text
    request, principal = recording_time.calls[-1]
    assert request.project_id == site.id and request.hours == "2.00"
    assert request.notes == "fixed login"
    assert request.date_worked == datetime.now(UTC).date().isoformat()  # the org's zone: UTC
    assert str(principal.user_id) == agency.member.user.id  # a delegated token of the member
    assert principal.token and principal.token != agency.member.access_token
    assert len(fake_slack.api_calls("users.info")) == before + 1

    started = time.monotonic()
    answer, _ = await command(stub, fake_slack, agency, "time 1h30m Client Site Redesign mockups")
    print(f"cached slash command answered in {time.monotonic() - started:.3f} s")
    assert "Client Site Redesign" in answer.text and recording_time.calls[-1][0].hours == "1.50"
    assert len(fake_slack.api_calls("users.info")) == before + 1  # cached: no Slack call


async def test_a_replayed_command_logs_its_time_once(
        stub, fake_slack, agency, integrations, integrations_js, recording_time):
    await project(integrations_js, integrations, agency, "Replayed")
    _, sent = await command(stub, fake_slack, agency, "time 2h Replayed fixed login")
    assert len(recording_time.calls) == 1
    [key] = recording_time.keys
    assert key and sent.fields["trigger_id"] not in key  # derived, not the id itself

    # The same body and signature again (a replay within the window, or Slack's retry).
    body = urlencode(sent.fields).encode()  # the bytes command_request signed
    again = await stub.ReceiveSlackCommand(pb.ReceiveSlackCommandRequest(
        body=body, signature=sent.headers["X-Slack-Signature"],
        timestamp=sent.headers["X-Slack-Request-Timestamp"]))
    assert "Logged 2 h on *Replayed*" in again.text, again.text
    assert len(recording_time.calls) == 1  # answered the first entry, no second one

    # Another invocation of the same text is another command.
    await command(stub, fake_slack, agency, "time 2h Replayed fixed login")
    assert len(recording_time.calls) == 2 and recording_time.keys[1] != key


async def test_an_ambiguous_project_lists_the_candidates(stub, fake_slack, agency, integrations,
                                                         integrations_js, recording_time):
    await project(integrations_js, integrations, agency, "Mobile App")
    await project(integrations_js, integrations, agency, "Mobile API")
    answer, _ = await command(stub, fake_slack, agency, "time 2h Mobile crash fix")
    assert "Mobile App" in answer.text and "Mobile API" in answer.text
    assert recording_time.calls == []


async def test_a_slow_command_answers_at_once_and_follows_on_the_response_url(
        stub, fake_slack, agency, integrations, integrations_js, recording_time):
    await project(integrations_js, integrations, agency, "Slowpoke")
    parts(integrations).slack_commands.answer_seconds = 0.2
    recording_time.delay = 1.0
    started = time.monotonic()
    answer, sent = await command(stub, fake_slack, agency, "time 45m Slowpoke waiting")
    assert time.monotonic() - started < 1.0
    assert answer.text == "Working on it…"
    followed = await fake_slack.wait_response(timeout=10, command=sent)
    assert followed["response_type"] == "ephemeral"
    assert "Logged 0.75 h on *Slowpoke*" in followed["text"]


async def messages(fake_slack: FakeSlack, channel: str, count: int = 1):
    async def check():
        found = fake_slack.messages(channel)
        return found if len(found) >= count else None
    return await until(check, f"{count} message(s) in {channel}")


async def test_a_task_assigned_reaches_the_projects_channel(
        stub, fake_slack, agency, integrations, integrations_js):
    channel = f"C{uuid.uuid4().hex[:8].upper()}"
    site = await project(integrations_js, integrations, agency, "Channelled", channel)
    task = projects_pb.Task(id=str(uuid.uuid4()), project_id=site.id, title="Fix login",
                            status=projects_pb.TASK_STATUS_TODO,
                            priority=projects_pb.PRIORITY_MEDIUM,
                            type=projects_pb.TASK_TYPE_FEATURE,
                            assignee_id=agency.member.user.id)
    await publish(integrations_js, "projects", agency.org_id, "task.updated",
                  project_events.TaskUpdated(task=task, changed_fields=["assignee_id"]),
                  project_id=site.id)
    [message] = await messages(fake_slack, channel)
    assert "Fix login" in message.text and "Channelled" in message.text


def invoice(project_id: str) -> billing_events.InvoiceChanged:
    return billing_events.InvoiceChanged(invoice=billing_pb.Invoice(
        id=str(uuid.uuid4()), number="INV-42", project_id=project_id, currency="EUR",
        total="9876.54", client_name="Globex", status=billing_pb.INVOICE_STATUS_SENT))


async def test_a_member_channel_never_hears_of_invoices_a_manager_channel_does(
        stub, fake_slack, agency, integrations, integrations_js):
    member_channel = f"C{uuid.uuid4().hex[:8].upper()}"
    site = await project(integrations_js, integrations, agency, "Invoiced", member_channel)
    issued = await publish(integrations_js, "billing", agency.org_id, "invoice.issued",
                           invoice(site.id), project_id=site.id)
    # A later task assignment arrives, so the invoice was considered (and withheld) before it.
    task = projects_pb.Task(id=str(uuid.uuid4()), project_id=site.id, title="After invoice",
                            status=projects_pb.TASK_STATUS_TODO,
                            priority=projects_pb.PRIORITY_MEDIUM,
                            type=projects_pb.TASK_TYPE_FEATURE,
                            assignee_id=agency.member.user.id)
    await publish(integrations_js, "projects", agency.org_id, "task.created",
                  project_events.TaskCreated(task=task), project_id=site.id)
    await messages(fake_slack, member_channel)

    async def considered():
        async with integrations.runtime.uow(Scope.of_system()) as uow:
            return (await uow.session.execute(select(processed_events).where(
                processed_events.c.event_id == uuid.UUID(issued.id),
                processed_events.c.consumer.like("integrations-slack-%")))).first()
    await until(considered, "the Slack consumer handled invoice.issued")
    # The sender posts later than the consumer handles: the queue is what says it was withheld
    # (a message is queued in the transaction that marks the event handled).
    async with integrations.runtime.uow(Scope(org_id=uuid.UUID(agency.org_id))) as uow:
        queued = await uow.slack_messages.of_org()
    assert not [r for r in queued if r["dedupe_key"].startswith(f"{issued.id}:")
                or "INV-42" in r["text"] or "9876" in r["text"]], queued
    assert all("INV-42" not in (m.text or "") and "9876" not in (m.text or "")
               for m in fake_slack.messages(member_channel))

    connections = await stub.ListConnections(pb.ListConnectionsRequest(),
                                             metadata=bearer(agency.owner.access_token))
    [slack] = [c for c in connections.connections if c.platform == pb.PLATFORM_SLACK]
    manager_channel = f"C{uuid.uuid4().hex[:8].upper()}"
    update = pb.UpdateConnectionRequest(connection_id=slack.id, connection=pb.Connection(
        settings={"audience": "manager", "default_channel": manager_channel}))
    update.update_mask.paths.append("settings")
    await stub.UpdateConnection(update, metadata=bearer(agency.owner.access_token))
    other = projects_pb.Project(id=str(uuid.uuid4()))
    await publish(integrations_js, "billing", agency.org_id, "invoice.paid", invoice(other.id))
    [paid] = await messages(fake_slack, manager_channel)
    assert "INV-42" in paid.text and "9876.54 EUR" in paid.text


async def test_slack_down_delays_a_message_and_never_loses_it(
        fake_slack, agency, integrations, integrations_js):
    channel = f"C{uuid.uuid4().hex[:8].upper()}"
    site = await project(integrations_js, integrations, agency, "Outage", channel)
    fake_slack.down = True
    try:
        task = projects_pb.Task(id=str(uuid.uuid4()), project_id=site.id, title="During outage",
                                status=projects_pb.TASK_STATUS_TODO,
                                priority=projects_pb.PRIORITY_MEDIUM,
                                type=projects_pb.TASK_TYPE_FEATURE,
                                assignee_id=agency.member.user.id)
        await publish(integrations_js, "projects", agency.org_id, "task.created",
                      project_events.TaskCreated(task=task), project_id=site.id)

        async def failed_once():
            async with integrations.runtime.uow(Scope(org_id=uuid.UUID(agency.org_id))) as uow:
                rows = await uow.slack_messages.of_org()
            return [r for r in rows if r["channel"] == channel and r["attempts"] >= 1]
        [row] = await until(failed_once, "a failed attempt")
        assert row["status"] == "pending" and row["last_error"]
    finally:
        fake_slack.down = False
    [message] = await messages(fake_slack, channel)
    assert "During outage" in message.text


async def test_the_weekday_reminder_goes_to_staff_without_time_yesterday_once(
        fake_slack, agency, integrations, integrations_js):
    # The owner logged time on Tuesday 2026-12-08; the member did not. Wednesday, 10:00 UTC.
    entry = time_events.EntryChanged(entry_id=str(uuid.uuid4()), user_id=agency.owner.user.id,
                                     date_worked="2026-12-08", hours="1.00")
    await publish(integrations_js, "time", agency.org_id, "entry.created", entry)

    async def logged():
        async with integrations.runtime.uow(Scope(org_id=uuid.UUID(agency.org_id))) as uow:
            return await uow.logged_entries.logged_on(date(2026, 12, 8))
    await until(logged, "the owner's entry heard")
    worker = parts(integrations).slack_reminders
    org = uuid.UUID(agency.org_id)
    wednesday = datetime(2026, 12, 9, 10, tzinfo=UTC)
    assert await worker.remind(org, date(2026, 12, 9), wednesday) == 1
    assert await worker.remind(org, date(2026, 12, 9), wednesday) == 0  # once a day

    async def reminded():
        found = [m for m in fake_slack.posted if m.team_id == agency.team_id
                 and "2026-12-08" in (m.text or "")]
        return found or None
    [dm] = await until(reminded, "the reminder DM")
    assert dm.channel.startswith("D")
    assert fake_slack.dms[frozenset([agency.member_slack_id])] == dm.channel
    assert "Tuesday" in dm.text

    # Before the hour, or on a Saturday, the sweep reminds nobody.
    worker_clock = worker.clock
    try:
        worker.clock = lambda: datetime(2026, 12, 10, 8, tzinfo=UTC)
        assert await worker.run_once() == 0
        worker.clock = lambda: datetime(2026, 12, 12, 12, tzinfo=UTC)
        assert await worker.run_once() == 0
    finally:
        worker.clock = worker_clock


async def test_today_is_the_orgs_and_a_deleted_entry_unlogs_its_day(
        stub, fake_slack, agency, integrations, integrations_js, recording_time):
    organization = identity_pb.Organization(id=agency.org_id, name="Agency",
                                            timezone="Pacific/Kiritimati")
    await publish(integrations_js, "identity", agency.org_id, "organization.updated",
                  identity_events.OrganizationUpdated(organization=organization,
                                                      changed_fields=["timezone"]))

    async def zoned():
        async with integrations.runtime.uow(Scope.of_system()) as uow:
            return await uow.known_orgs.timezone(uuid.UUID(agency.org_id)) == \
                "Pacific/Kiritimati"
    await until(zoned, "the org's timezone heard")
    await project(integrations_js, integrations, agency, "Zoned")
    await command(stub, fake_slack, agency, "time 1h Zoned early")
    expected = datetime.now(ZoneInfo("Pacific/Kiritimati")).date().isoformat()  # UTC+14
    assert recording_time.calls[-1][0].date_worked == expected

    entry = time_events.EntryChanged(entry_id=str(uuid.uuid4()), user_id=agency.member.user.id,
                                     date_worked="2026-12-15", hours="2.00")
    await publish(integrations_js, "time", agency.org_id, "entry.created", entry)

    async def logged_on():
        async with integrations.runtime.uow(Scope(org_id=uuid.UUID(agency.org_id))) as uow:
            return await uow.logged_entries.logged_on(date(2026, 12, 15))
    assert await until(logged_on, "the entry heard") == {uuid.UUID(agency.member.user.id)}
    await publish(integrations_js, "time", agency.org_id, "entry.deleted", entry)

    async def unlogged():
        return not await logged_on()
    await until(unlogged, "the deleted entry unlogs its day")
