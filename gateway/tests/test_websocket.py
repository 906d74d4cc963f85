"""The WebSocket on a real gateway (uvicorn) and a real NATS: auth, commands, fan-out, presence."""

from __future__ import annotations

import asyncio
import json
import uuid

import grpc
import nats
import pytest
from google.protobuf import timestamp_pb2
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from labs.billing.v1 import billing_service_pb2 as billing_pb2
from labs.billing.v1 import events_pb2 as billing_events_pb2
from labs.events.v1 import envelope_pb2
from labs.forecasting.v1 import events_pb2 as forecasting_events_pb2
from labs.forecasting.v1 import forecasting_service_pb2 as forecasting_pb2
from labs.identity.v1 import events_pb2
from labs.identity.v1 import identity_service_pb2 as pb
from labs.projects.v1 import events_pb2 as project_events_pb2
from labs.projects.v1 import projects_service_pb2, projects_service_pb2_grpc

WAIT = 5.0


async def receive(ws) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), WAIT))


async def close_code(ws) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(ws.recv(), WAIT)
    return closed.value.rcvd.code


async def ready(ws) -> None:
    """Commands are handled in order, so a pong means everything sent before it took effect."""
    await ws.send(json.dumps({"type": "ping"}))
    assert await receive(ws) == {"type": "pong"}


def envelope(org_id: uuid.UUID, event_type: str, payload, source: str = "identity",
             project_id: str = "") -> envelope_pb2.Envelope:
    message = envelope_pb2.Envelope(
        id=str(uuid.uuid4()), type=event_type, source=source, org_id=str(org_id),
        occurred_at=timestamp_pb2.Timestamp(seconds=1_700_000_000), project_id=project_id)
    message.payload.Pack(payload)
    return message


@pytest.fixture
async def publisher(nats_url):
    connection = await nats.connect(nats_url)

    async def publish(event: envelope_pb2.Envelope) -> None:
        aggregate, verb = event.type.split(".")
        subject = f"labs.{event.source}.v1.{event.org_id}.{aggregate}.{verb}"
        await connection.publish(subject, event.SerializeToString())
        await connection.flush()

    yield publish
    await connection.close()


@pytest.fixture
async def gateway(start_gateway):
    return await start_gateway(ws_auth_timeout_seconds=0.5)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_socket_that_never_authenticates_is_closed_with_4401(gateway):
    async with connect(gateway.ws_url) as ws:
        assert await close_code(ws) == 4401


async def test_a_forged_token_in_the_query_is_closed_with_4401(gateway, impostor_key, make_claims):
    token = impostor_key.sign(make_claims(uuid.uuid4()))
    async with connect(f"{gateway.ws_url}?token={token}") as ws:
        assert await close_code(ws) == 4401


async def test_a_first_message_other_than_auth_is_closed_with_4401(gateway):
    async with connect(gateway.ws_url) as ws:
        await ws.send(json.dumps({"type": "ping"}))
        assert await close_code(ws) == 4401


async def test_ping_is_answered_with_pong_after_header_auth(gateway, issue_token):
    async with connect(gateway.ws_url, additional_headers=bearer(issue_token())) as ws:
        await ready(ws)


async def test_a_first_auth_message_authenticates(gateway, issue_token):
    async with connect(gateway.ws_url) as ws:
        await ws.send(json.dumps({"type": "auth", "token": issue_token()}))
        await ready(ws)


async def test_an_invalid_message_is_reported_and_the_socket_stays_open(gateway, issue_token):
    async with connect(f"{gateway.ws_url}?token={issue_token()}") as ws:
        for bad in ("not json", json.dumps({"type": "dance"}),
                    json.dumps({"type": "subscribe", "project_id": "nope"})):
            await ws.send(bad)
            reply = await receive(ws)
            assert reply["type"] == "error" and reply["detail"]
        await ready(ws)


async def test_events_reach_the_sockets_of_their_organization_only(gateway, issue_token,
                                                                   publisher):
    org_a, org_b = uuid.uuid4(), uuid.uuid4()
    async with (connect(gateway.ws_url, additional_headers=bearer(issue_token(org_a))) as ws_a,
                connect(gateway.ws_url, additional_headers=bearer(issue_token(org_b))) as ws_b):
        await ready(ws_a)
        await ready(ws_b)
        updated = events_pb2.OrganizationUpdated(
            organization=pb.Organization(id=str(org_a), name="A"), changed_fields=["name"])
        event_a = envelope(org_a, "organization.updated", updated)
        await publisher(event_a)
        event_b = envelope(org_b, "member.role_changed", events_pb2.MemberRoleChanged(
            user_id="u1", old_role=pb.ROLE_MEMBER, new_role=pb.ROLE_ADMIN))
        await publisher(event_b)

        received_a = await receive(ws_a)
        assert (received_a["type"], received_a["id"], received_a["ts"]) == (
            "organization:updated", event_a.id, "2023-11-14T22:13:20Z")
        # The organization as REST shows it.
        assert received_a["data"]["id"] == str(org_a) and received_a["data"]["name"] == "A"
        # NATS keeps the order of one publisher: had org A's event reached B, it would come first.
        received_b = await receive(ws_b)
        assert received_b["id"] == event_b.id and received_b["type"] == "member:role_changed"
        assert received_b["data"] == {"user_id": "u1", "old_role": "member", "new_role": "admin"}


async def test_identity_events_about_secrets_and_sessions_are_not_forwarded(gateway, issue_token,
                                                                           publisher):
    org = uuid.uuid4()
    async with connect(gateway.ws_url, additional_headers=bearer(issue_token(org))) as ws:
        await ready(ws)
        await publisher(envelope(org, "api_key.created", events_pb2.ApiKeyCreated()))
        await publisher(envelope(org, "session.revoked", events_pb2.SessionRevoked()))
        await publisher(envelope(org, "member.logged_in", events_pb2.MemberLoggedIn()))
        last = envelope(org, "member.joined", events_pb2.MemberJoined(invitation_id="i1"))
        await publisher(last)
        first = await receive(ws)
        assert (first["type"], first["id"]) == ("member:joined", last.id)


async def test_subscribing_narrows_to_the_projects_joined(gateway, issue_token, publisher):
    org, project = uuid.uuid4(), str(uuid.uuid4())
    async with connect(gateway.ws_url, additional_headers=bearer(issue_token(org))) as ws:
        await ws.send(json.dumps({"type": "subscribe", "project_id": project}))
        await ready(ws)
        await publisher(envelope(org, "organization.updated", events_pb2.OrganizationUpdated()))
        await publisher(envelope(org, "task.created", events_pb2.MemberRemoved(),
                                 source="projects", project_id=str(uuid.uuid4())))
        mine = envelope(org, "task.created", events_pb2.MemberRemoved(user_id="x"),
                        source="projects", project_id=project)
        await publisher(mine)
        first = await receive(ws)
        assert (first["type"], first["id"]) == ("task:created", mine.id)
        assert first["data"]["project_id"] == project


class _ClientsProjects(projects_service_pb2_grpc.ProjectsServiceServicer):
    """The projects service as a client-role user sees it: its client's projects, none other."""

    def __init__(self, visible: str) -> None:
        self.visible = visible

    async def GetProject(self, request, context):
        if request.id != self.visible:
            await context.abort(grpc.StatusCode.NOT_FOUND, "No such project.")
        return projects_service_pb2.GetProjectResponse(
            project=projects_service_pb2.Project(id=request.id))

    async def ListProjects(self, request, context):
        return projects_service_pb2.ListProjectsResponse(
            projects=[projects_service_pb2.Project(id=self.visible)])


def task_event(org: uuid.UUID, project_id: str, event_type: str = "task.created"):
    task = projects_service_pb2.Task(
        id=str(uuid.uuid4()), project_id=project_id, title="Hero",
        priority=projects_service_pb2.PRIORITY_MEDIUM, type=projects_service_pb2.TASK_TYPE_CHORE,
        status=projects_service_pb2.TASK_STATUS_TODO)
    return envelope(org, event_type, project_events_pb2.TaskCreated(task=task), source="projects",
                    project_id=project_id)


async def test_a_client_role_socket_gets_the_events_of_its_clients_projects_only(
        start_gateway, issue_token, publisher):
    org, project, elsewhere = uuid.uuid4(), str(uuid.uuid4()), str(uuid.uuid4())
    client_id, brand_new = str(uuid.uuid4()), str(uuid.uuid4())
    projects = grpc.aio.server()
    projects_service_pb2_grpc.add_ProjectsServiceServicer_to_server(
        _ClientsProjects(project), projects)
    port = projects.add_insecure_port("127.0.0.1:0")
    await projects.start()
    try:
        gateway = await start_gateway(projects_addr=f"127.0.0.1:{port}")
        token = issue_token(org, "client", client_id=client_id)
        async with connect(gateway.ws_url, additional_headers=bearer(token)) as ws:
            await ready(ws)
            await ws.send(json.dumps({"type": "subscribe", "project_id": elsewhere}))
            refused = await receive(ws)
            assert refused["type"] == "error" and refused["detail"].startswith("project_id")
            # Without a subscription: staff-only events, and other clients' projects, never.
            await publisher(envelope(org, "member.joined", events_pb2.MemberJoined()))
            await publisher(task_event(org, elsewhere))
            ours = task_event(org, project)
            await publisher(ours)
            first = await receive(ws)
            assert (first["type"], first["id"]) == ("task:created", ours.id)
            # A project of its client created after the socket connected is followed at once.
            created = envelope(org, "project.created", project_events_pb2.ProjectCreated(
                project=projects_service_pb2.Project(
                    id=brand_new, client_id=client_id, name="New", billing_rate_override="99",
                    status=projects_service_pb2.PROJECT_STATUS_PLANNING,
                    priority=projects_service_pb2.PRIORITY_MEDIUM,
                    budget_type=projects_service_pb2.BUDGET_TYPE_FIXED_FEE)),
                source="projects", project_id=brand_new)
            await publisher(created)
            announced = await receive(ws)
            assert (announced["type"], announced["data"]["id"]) == ("project:created", brand_new)
            assert "billing_rate_override" not in announced["data"]  # internal to the agency
            later = task_event(org, brand_new)
            await publisher(later)
            assert (await receive(ws))["id"] == later.id
    finally:
        await projects.stop(None)


async def test_presence_and_typing_cross_gateway_replicas(start_gateway, issue_token):
    replica_1, replica_2 = await start_gateway(), await start_gateway()
    org, project, task = uuid.uuid4(), str(uuid.uuid4()), str(uuid.uuid4())
    ada, bob = uuid.uuid4(), uuid.uuid4()
    subscribe = json.dumps({"type": "subscribe", "project_id": project})
    async with connect(replica_1.ws_url,
                       additional_headers=bearer(issue_token(org, user_id=ada))) as ws_ada:
        await ws_ada.send(subscribe)
        await ready(ws_ada)
        async with connect(replica_2.ws_url,
                           additional_headers=bearer(issue_token(org, user_id=bob))) as ws_bob:
            await ws_bob.send(subscribe)
            joined = await receive(ws_ada)
            assert joined["type"] == "user:joined"
            assert joined["data"] == {"user_id": str(bob), "project_id": project}

            await ws_ada.send(json.dumps({"type": "typing", "task_id": task}))
            typing = await receive(ws_bob)  # not his own arrival: no socket hears its own echo
            assert typing["type"] == "typing"
            assert typing["data"] == {"user_id": str(ada), "project_id": project,
                                      "task_id": task}
            # Bob answers; Ada's next message is Bob's typing, not an echo of her own.
            await ws_bob.send(json.dumps({"type": "typing", "project_id": project}))
            assert (await receive(ws_ada))["data"]["user_id"] == str(bob)
        left = await receive(ws_ada)
        assert left["type"] == "user:left" and left["data"]["user_id"] == str(bob)


async def test_a_revoked_session_closes_its_sockets_and_only_those(gateway, issue_token,
                                                                   publisher):
    org, session, other_session = uuid.uuid4(), str(uuid.uuid4()), str(uuid.uuid4())
    async with (connect(gateway.ws_url,
                        additional_headers=bearer(issue_token(org, sid=session))) as ending,
                connect(gateway.ws_url,
                        additional_headers=bearer(issue_token(org, sid=other_session))) as staying):
        await ready(ending)
        await ready(staying)
        await publisher(envelope(org, "session.revoked", events_pb2.SessionRevoked(
            user_id=str(uuid.uuid4()), session_id=session, reason="logout")))
        assert await close_code(ending) == 4401
        await ready(staying)


async def test_a_token_with_another_role_closes_the_socket_instead_of_widening_it(
        gateway, issue_token):
    org, user = uuid.uuid4(), uuid.uuid4()
    async with connect(gateway.ws_url, additional_headers=bearer(
            issue_token(org, "member", user_id=user))) as ws:
        await ready(ws)
        await ws.send(json.dumps({"type": "auth", "token": issue_token(org, "owner",
                                                                       user_id=user)}))
        assert await close_code(ws) == 4401


def invoice_event(org: uuid.UUID, event_type: str, client_id: str, project_id: str = ""):
    invoice = billing_pb2.Invoice(
        id=str(uuid.uuid4()), number="INV-0001", status=billing_pb2.INVOICE_STATUS_SENT,
        client_id=client_id, project_id=project_id, currency="EUR", total="100.00",
        stripe_invoice_id="in_1")
    return envelope(org, event_type, billing_events_pb2.InvoiceChanged(invoice=invoice),
                    source="billing", project_id=project_id)


async def test_an_invoice_of_a_client_without_a_project_reaches_that_clients_sockets_only(
        start_gateway, issue_token, publisher):
    org, project = uuid.uuid4(), str(uuid.uuid4())
    ours, theirs = str(uuid.uuid4()), str(uuid.uuid4())
    projects = grpc.aio.server()
    projects_service_pb2_grpc.add_ProjectsServiceServicer_to_server(
        _ClientsProjects(project), projects)
    port = projects.add_insecure_port("127.0.0.1:0")
    await projects.start()
    try:
        gateway = await start_gateway(projects_addr=f"127.0.0.1:{port}")
        client = bearer(issue_token(org, "client", client_id=ours))
        async with (connect(gateway.ws_url, additional_headers=client) as ws_client,
                    connect(gateway.ws_url, additional_headers=bearer(
                        issue_token(org, "member"))) as ws_member,
                    connect(gateway.ws_url, additional_headers=bearer(
                        issue_token(org, "manager"))) as ws_manager):
            for ws in (ws_client, ws_member, ws_manager):
                await ready(ws)
            await publisher(invoice_event(org, "invoice.issued", theirs))
            issued = invoice_event(org, "invoice.issued", ours)
            await publisher(issued)
            # The member's witness: an event it may see, published after the invoices.
            witness = task_event(org, project)
            await publisher(witness)

            first = await receive(ws_client)
            assert (first["type"], first["id"]) == ("invoice:issued", issued.id)
            assert first["data"]["client_id"] == ours and "stripe_invoice_id" not in first["data"]
            assert (await receive(ws_client))["id"] == witness.id
            assert (await receive(ws_member))["id"] == witness.id
            seen = [(await receive(ws_manager))["type"] for _ in range(3)]
            assert seen == ["invoice:issued", "invoice:issued", "task:created"]
    finally:
        await projects.stop(None)


async def test_a_raised_alert_reaches_its_users_sockets_only(gateway, issue_token, publisher):
    """alert.raised → `alert:new` with the alert as GET /alerts shows it, on the sockets of the
    user it is for: not another manager's, not the member whose work raised it."""
    org, project = uuid.uuid4(), str(uuid.uuid4())
    for_whom, other_manager, member = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    alert = forecasting_pb2.Alert(
        id=str(uuid.uuid4()), type=forecasting_pb2.ALERT_TYPE_MARGIN_THRESHOLD,
        severity=forecasting_pb2.SEVERITY_CRITICAL, message="Margin 20% is below 30%.",
        project_id=project, user_id=str(for_whom),
        created_at=timestamp_pb2.Timestamp(seconds=1_700_000_000))
    raised = envelope(org, "alert.raised", forecasting_events_pb2.AlertRaised(
        alert=alert, user_id=str(for_whom)), source="forecasting", project_id=project)
    raised.actor_id = str(member)
    async with (connect(gateway.ws_url, additional_headers=bearer(
                    issue_token(org, "manager", user_id=for_whom))) as ws_mine,
                connect(gateway.ws_url, additional_headers=bearer(
                    issue_token(org, "manager", user_id=other_manager))) as ws_other,
                connect(gateway.ws_url, additional_headers=bearer(
                    issue_token(org, "member", user_id=member))) as ws_member):
        for ws in (ws_mine, ws_other, ws_member):
            await ready(ws)
        await publisher(raised)
        witness = task_event(org, project)
        await publisher(witness)

        pushed = await receive(ws_mine)
        assert (pushed["type"], pushed["id"]) == ("alert:new", raised.id)
        assert pushed["data"] == {
            "id": alert.id, "type": "margin_threshold", "severity": "critical",
            "message": "Margin 20% is below 30%.", "project_id": project, "resource_id": None,
            "invoice_id": None, "data": {}, "is_read": False, "action_taken": None,
            "created_at": "2023-11-14T22:13:20Z"}
        assert (await receive(ws_mine))["id"] == witness.id
        assert (await receive(ws_other))["id"] == witness.id
        assert (await receive(ws_member))["id"] == witness.id


async def test_events_are_written_straight_to_an_idle_sockets_transport(gateway, issue_token,
                                                                      publisher):
    org = uuid.uuid4()
    async with connect(gateway.ws_url, additional_headers=bearer(issue_token(org))) as ws:
        await ready(ws)
        (socket,) = gateway.app.state.hub._by_org[str(org)]
        assert socket._direct is not None  # uvicorn's protocol, found through the scope
        event = envelope(org, "member.role_changed", events_pb2.MemberRoleChanged(
            user_id="u1", old_role=pb.ROLE_MEMBER, new_role=pb.ROLE_ADMIN))
        await publisher(event)
        assert (await receive(ws))["id"] == event.id
