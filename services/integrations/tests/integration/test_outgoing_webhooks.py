"""Outgoing webhooks on real PostgreSQL and NATS: an event published on a service's stream
reaches an endpoint as a signed POST (a real HTTP server on the test's loop); failures are
retried until a 2xx; a redelivered NATS event makes no second delivery; RedeliverWebhook sends
the same body again; the creator's current role decides what is sent (a member's endpoint gets
their own time entries without cost_rate, a removed creator's nothing); private targets are
refused without the deployment's setting. Each test has an organization of its own."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import grpc
import pytest
from aiohttp import web
from sqlalchemy import text

from labs.events.v1 import envelope_pb2
from labs.identity.v1 import events_pb2 as identity_events
from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.integrations.v1 import integrations_service_pb2 as pb
from labs.time.v1 import events_pb2 as time_events
from labs_common.db.uow import Scope
from labs_common.events.outbox import subject_for
from labs_common.events.streams import stream_name
from labs_integrations.domain.webhooks import verify

PASSWORD = "correct horse battery"
DEADLINE = 20.0


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


@dataclass
class Received:
    headers: dict[str, str]
    body: str


@dataclass
class Receiver:
    """A local HTTP endpoint: records every POST, answers the statuses queued (then 200)."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append(Received(dict(request.headers), await request.text()))
        status = self.answers.pop(0) if self.answers else 200
        return web.Response(status=status, text="ok" if status < 300 else "boom")

    async def until(self, count: int) -> list[Received]:
        deadline = time.monotonic() + DEADLINE
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.received)} requests, not {count}")
            await asyncio.sleep(0.05)
        return self.received


@pytest.fixture
async def receiver():
    found = Receiver()
    app = web.Application()
    app.router.add_post("/hooks", found.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    found.url = f"http://127.0.0.1:{port}/hooks"
    yield found
    await runner.cleanup()


async def signup(identity_stub) -> identity_pb.Session:
    response = await identity_stub.Signup(identity_pb.SignupRequest(
        email=f"owner-{uuid.uuid4().hex[:8]}@example.com", password=PASSWORD,
        organization_name="Agency"))
    return response.session


async def known(integrations, session, *, role: str | None = "owner",
                active: bool = True) -> None:
    """Until the read model holds the session's user with `role` (None: gone or inactive)."""
    org_id, user_id = uuid.UUID(session.organization.id), uuid.UUID(session.user.id)
    deadline = time.monotonic() + DEADLINE
    while True:
        async with integrations.runtime.uow(Scope(org_id=org_id)) as uow:
            member = await uow.known_members.get(user_id)
        if member is not None and member.role == role and member.active == active:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"read model: {member}")
        await asyncio.sleep(0.05)


async def processed(integrations, source: str, envelope: envelope_pb2.Envelope) -> None:
    """Until the webhooks' consumer of `source` has acked the event: its durable's ack floor
    has reached the event's stream sequence (an event of an org without a live endpoint leaves
    no inbox row)."""
    durable = f"integrations-webhooks-on-{source}-all"
    deadline = time.monotonic() + DEADLINE
    while True:
        info = await integrations.runtime.js.consumer_info(stream_name(source), durable)
        if info.ack_floor.stream_seq >= SEQUENCES[envelope.id]:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{durable} did not handle {envelope.id}")
        await asyncio.sleep(0.05)


# The stream sequence each event published here was stored at.
SEQUENCES: dict[str, int] = {}


async def publish(js, source: str, org_id: str, event_type: str, payload, *,
                  project_id: str = "", envelope: envelope_pb2.Envelope | None = None,
                  msg_id: str | None = None) -> envelope_pb2.Envelope:
    if envelope is None:
        envelope = envelope_pb2.Envelope(id=str(uuid.uuid4()), type=event_type, source=source,
                                         org_id=org_id, project_id=project_id)
        envelope.occurred_at.FromDatetime(datetime.now(UTC))
        envelope.payload.Pack(payload)
    stored = await js.publish(subject_for(source, uuid.UUID(org_id), envelope.type),
                              envelope.SerializeToString(),
                              headers={"Nats-Msg-Id": msg_id or envelope.id})
    SEQUENCES.setdefault(envelope.id, stored.seq)
    return envelope


def entry_created(user_id: str) -> time_events.EntryChanged:
    payload = time_events.EntryChanged(entry_id=str(uuid.uuid4()), user_id=user_id, hours="1.5",
                                       cost_rate="40.00", billable_rate="120.00")
    payload.entry.id, payload.entry.user_id = payload.entry_id, user_id
    payload.entry.hours, payload.entry.cost_rate = "1.5", "40.00"
    payload.entry.billable_rate = "120.00"
    return payload


async def publish_entry(js, session, user_id: str | None = None) -> envelope_pb2.Envelope:
    return await publish(js, "time", session.organization.id, "entry.created",
                         entry_created(user_id or session.user.id), project_id=str(uuid.uuid4()))


async def create_endpoint(stub, session, url: str, events=("*",)) -> pb.WebhookEndpoint:
    response = await stub.CreateWebhookEndpoint(
        pb.CreateWebhookEndpointRequest(endpoint=pb.WebhookEndpoint(url=url, events=events)),
        metadata=bearer(session.access_token))
    return response.endpoint


async def deliveries(stub, session, endpoint_id: str) -> list[pb.WebhookDelivery]:
    response = await stub.ListWebhookDeliveries(
        pb.ListWebhookDeliveriesRequest(endpoint_id=endpoint_id),
        metadata=bearer(session.access_token))
    return list(response.deliveries)


async def until_delivery(stub, session, endpoint_id: str, **expected) -> pb.WebhookDelivery:
    deadline = time.monotonic() + DEADLINE
    while True:
        found = await deliveries(stub, session, endpoint_id)
        if len(found) == 1 and all(getattr(found[0], k) == v for k, v in expected.items()):
            return found[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"deliveries: {found}, not one with {expected}")
        await asyncio.sleep(0.05)


@pytest.fixture
async def owner(identity_stub, integrations):
    session = await signup(identity_stub)
    await known(integrations, session)
    return session


async def test_an_event_reaches_the_endpoint_as_a_signed_post(stub, integrations_js, owner,
                                                              receiver):
    endpoint = await create_endpoint(stub, owner, receiver.url, ["time:entry:created"])
    assert endpoint.secret.startswith("whsec_") and endpoint.created_by == owner.user.id
    listed = await stub.ListWebhookEndpoints(pb.ListWebhookEndpointsRequest(),
                                             metadata=bearer(owner.access_token))
    assert [(e.id, e.secret) for e in listed.endpoints] == [(endpoint.id, "")]

    envelope = await publish_entry(integrations_js, owner)
    (request,) = await receiver.until(1)
    assert verify(endpoint.secret, request.body, request.headers["Labs-Signature"])
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Labs-Event-Id"] == envelope.id
    assert request.headers["Labs-Event-Type"] == "time:entry:created"
    assert request.headers["User-Agent"] == "Labs-Webhooks/1"
    body = json.loads(request.body)
    assert (body["type"], body["id"]) == ("time:entry:created", envelope.id)
    assert body["data"]["cost_rate"] == "40.00"  # the owner sees it, as on their socket
    assert body["data"]["project_id"] == envelope.project_id
    delivery = await until_delivery(stub, owner, endpoint.id,
                                    status=pb.DELIVERY_STATUS_SUCCEEDED)
    assert request.headers["Labs-Delivery-Id"] == delivery.id
    assert (delivery.attempts, delivery.last_status_code, delivery.event_id) == (
        1, 200, envelope.id)


async def test_a_failing_endpoint_is_retried_until_it_answers_2xx(stub, integrations_js, owner,
                                                                  receiver):
    receiver.answers = [500, 503]
    endpoint = await create_endpoint(stub, owner, receiver.url)
    await publish_entry(integrations_js, owner)
    first, second, third = await receiver.until(3)
    assert first.body == second.body == third.body
    assert first.headers["Labs-Delivery-Id"] == third.headers["Labs-Delivery-Id"]
    assert verify(endpoint.secret, third.body, third.headers["Labs-Signature"])
    delivery = await until_delivery(stub, owner, endpoint.id,
                                    status=pb.DELIVERY_STATUS_SUCCEEDED)
    assert (delivery.attempts, delivery.last_status_code) == (3, 200)


async def test_a_redelivered_nats_event_makes_no_second_delivery(stub, integrations, owner,
                                                                 integrations_js, receiver):
    endpoint = await create_endpoint(stub, owner, receiver.url)
    envelope = await publish_entry(integrations_js, owner)
    await receiver.until(1)
    await until_delivery(stub, owner, endpoint.id, status=pb.DELIVERY_STATUS_SUCCEEDED)
    # The same envelope again, past JetStream's de-duplication (as after a relay's retry).
    await publish(integrations_js, "time", owner.organization.id, envelope.type, None,
                  envelope=envelope, msg_id=str(uuid.uuid4()))
    later = await publish_entry(integrations_js, owner)
    await receiver.until(2)
    await processed(integrations, "time", later)
    found = await deliveries(stub, owner, endpoint.id)
    assert sorted(d.event_id for d in found) == sorted([envelope.id, later.id])
    assert [json.loads(r.body)["id"] for r in receiver.received].count(envelope.id) == 1


async def test_redeliver_sends_the_same_body_again(stub, integrations_js, owner, receiver):
    endpoint = await create_endpoint(stub, owner, receiver.url)
    envelope = await publish_entry(integrations_js, owner)
    (first,) = await receiver.until(1)
    delivery = await until_delivery(stub, owner, endpoint.id,
                                    status=pb.DELIVERY_STATUS_SUCCEEDED)
    again = await stub.RedeliverWebhook(
        pb.RedeliverWebhookRequest(endpoint_id=endpoint.id, delivery_id=delivery.id),
        metadata=bearer(owner.access_token))
    assert again.delivery.id == delivery.id
    assert again.delivery.status == pb.DELIVERY_STATUS_PENDING
    _, second = await receiver.until(2)
    assert second.body == first.body
    assert second.headers["Labs-Event-Id"] == envelope.id
    assert verify(endpoint.secret, second.body, second.headers["Labs-Signature"])
    done = await until_delivery(stub, owner, endpoint.id, status=pb.DELIVERY_STATUS_SUCCEEDED,
                                attempts=2)
    assert done.id == delivery.id


async def _now_a(integrations_js, integrations, session, new_role: int, role: str) -> None:
    changed = identity_events.MemberRoleChanged(user_id=session.user.id,
                                                old_role=identity_pb.ROLE_OWNER, new_role=new_role)
    await publish(integrations_js, "identity", session.organization.id, "member.role_changed",
                  changed)
    await known(integrations, session, role=role)


async def test_a_member_creator_gets_own_entries_without_cost_rate_and_no_one_elses(
        stub, integrations, integrations_js, owner, receiver):
    await create_endpoint(stub, owner, receiver.url, ["time:entry:created"])
    await _now_a(integrations_js, integrations, owner, identity_pb.ROLE_MEMBER, "member")
    someone_elses = await publish_entry(integrations_js, owner, user_id=str(uuid.uuid4()))
    own = await publish_entry(integrations_js, owner)
    (request,) = await receiver.until(1)
    await processed(integrations, "time", someone_elses)
    await processed(integrations, "time", own)
    body = json.loads(request.body)
    assert body["id"] == own.id
    assert "cost_rate" not in body["data"] and body["data"]["billable_rate"] == "120.00"
    assert len(receiver.received) == 1


async def test_a_removed_creator_gets_nothing(stub, integrations, integrations_js, owner,
                                              receiver):
    await create_endpoint(stub, owner, receiver.url, ["time:entry:created"])
    removed = identity_events.MemberRemoved(user_id=owner.user.id, email=owner.user.email)
    await publish(integrations_js, "identity", owner.organization.id, "member.removed", removed)
    await known(integrations, owner, role="owner", active=False)
    envelope = await publish_entry(integrations_js, owner)
    await processed(integrations, "time", envelope)
    assert receiver.received == []


async def test_private_targets_are_refused_without_the_setting(stub, integrations, owner):
    guard = integrations.runtime.extras["parts"].webhook_targets
    guard.allow_private = False
    try:
        for url in ("http://127.0.0.1:9/hooks", "http://[::ffff:127.0.0.1]:9/hooks",
                    "http://169.254.169.254/latest", "http://localhost:9/hooks"):
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await create_endpoint(stub, owner, url)
            assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
            assert "url" in (refused.value.details() or "")
    finally:
        guard.allow_private = True
    listed = await stub.ListWebhookEndpoints(pb.ListWebhookEndpointsRequest(),
                                             metadata=bearer(owner.access_token))
    assert list(listed.endpoints) == []


async def test_another_orgs_endpoint_is_not_found_and_delete_stops_deliveries(
        stub, identity_stub, integrations, integrations_js, owner, receiver):
    endpoint = await create_endpoint(stub, owner, receiver.url)
    stranger = await signup(identity_stub)
    for call, request in (
            (stub.DeleteWebhookEndpoint, pb.DeleteWebhookEndpointRequest(endpoint_id=endpoint.id)),
            (stub.ListWebhookDeliveries,
             pb.ListWebhookDeliveriesRequest(endpoint_id=endpoint.id))):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await call(request, metadata=bearer(stranger.access_token))
        assert refused.value.code() is grpc.StatusCode.NOT_FOUND
    await stub.DeleteWebhookEndpoint(pb.DeleteWebhookEndpointRequest(endpoint_id=endpoint.id),
                                     metadata=bearer(owner.access_token))
    envelope = await publish_entry(integrations_js, owner)
    await processed(integrations, "time", envelope)
    assert receiver.received == []


async def test_settled_deliveries_leave_the_log_after_their_keep_days(stub, integrations,
                                                                      integrations_js, owner,
                                                                      receiver):
    endpoint = await create_endpoint(stub, owner, receiver.url)
    old = await publish_entry(integrations_js, owner)
    await receiver.until(1)
    await until_delivery(stub, owner, endpoint.id, status=pb.DELIVERY_STATUS_SUCCEEDED)
    recent = await publish_entry(integrations_js, owner)
    await receiver.until(2)
    async with integrations.runtime.uow(Scope.of_system()) as uow:
        # The first one settled long ago.
        await uow.session.execute(text(
            "UPDATE webhook_deliveries SET created_at = now() - interval '31 days' "
            "WHERE event_id = :id"), {"id": old.id})
        await uow.commit()
    worker = integrations.runtime.extras["parts"].webhook_worker
    assert await worker.forget_settled() >= 1
    left = await deliveries(stub, owner, endpoint.id)
    assert [d.event_id for d in left] == [recent.id]
