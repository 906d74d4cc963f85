"""Durable consumers apply each event once, retry failures, and park what they cannot read."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid

import nats
import pytest
from google.protobuf import wrappers_pb2
from sqlalchemy import text

from labs.events.v1 import envelope_pb2
from labs_common.db.uow import Scope, UnitOfWork
from labs_common.events.consumer import EventConsumer, Subscription
from labs_common.events.streams import stream_name

pytestmark = pytest.mark.integration


def envelope_for(org: uuid.UUID) -> envelope_pb2.Envelope:
    envelope = envelope_pb2.Envelope(
        id=str(uuid.uuid4()), type="entry.created", source="time", org_id=str(org)
    )
    envelope.payload.Pack(wrappers_pb2.StringValue(value="x"))
    return envelope


async def effects_of(sessions, org: uuid.UUID) -> int:
    async with UnitOfWork(sessions, "time", Scope.of_system()) as uow:
        return (
            await uow.session.execute(
                text("SELECT count(*) FROM effects WHERE org_id = :org"), {"org": org}
            )
        ).scalar()


async def wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met before the deadline")


async def run_consumer(js, sessions, handler, name: str, wanted=None, idempotent=False):
    subscription = Subscription(
        consumer=name, source="time", event_type="entry.created", handler=handler, max_deliver=3,
        wanted=wanted, idempotent=idempotent,
    )
    consumer = EventConsumer(js, lambda scope: UnitOfWork(sessions, "time", scope), subscription)
    return asyncio.create_task(consumer.run())


async def record(envelope, uow):
    await uow.session.execute(
        text("INSERT INTO effects VALUES (:e, :o)"), {"e": envelope.id, "o": envelope.org_id}
    )


async def test_an_event_delivered_twice_has_one_effect(js, sessions):
    org = uuid.uuid4()
    envelope = envelope_for(org)
    task = await run_consumer(js, sessions, record, f"once{uuid.uuid4().hex[:6]}")
    try:
        # Two publishes with different message ids defeat JetStream's dedup: a real redelivery.
        for attempt in range(2):
            await js.publish(
                f"labs.time.v1.{org}.entry.created",
                envelope.SerializeToString(),
                headers={"Nats-Msg-Id": f"{envelope.id}-{attempt}"},
            )
        second = envelope_for(org)
        await js.publish(f"labs.time.v1.{org}.entry.created", second.SerializeToString())
        await wait_for(lambda: _equals(effects_of(sessions, org), 2))
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert await effects_of(sessions, org) == 2  # the duplicate added nothing


async def test_a_failing_handler_is_retried_and_its_effect_is_not_half_applied(js, sessions):
    org = uuid.uuid4()
    attempts = []

    async def flaky(envelope, uow):
        if envelope.org_id != str(org):
            return  # earlier tests' events share the stream
        await record(envelope, uow)
        attempts.append(envelope.id)
        if len(attempts) == 1:
            raise RuntimeError("transient failure after writing")

    task = await run_consumer(js, sessions, flaky, f"flaky{uuid.uuid4().hex[:6]}")
    try:
        await js.publish(f"labs.time.v1.{org}.entry.created", envelope_for(org).SerializeToString())
        await wait_for(lambda: _equals(effects_of(sessions, org), 1), timeout=15)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert len(attempts) == 2


async def test_an_event_its_subscription_does_not_want_is_acked_unclaimed(js, sessions):
    wanted_org, other_org = uuid.uuid4(), uuid.uuid4()
    name = f"wants{uuid.uuid4().hex[:6]}"
    handled = []

    async def wanted(envelope, uow):
        return envelope.org_id == str(wanted_org)

    async def handler(envelope, uow):
        handled.append(envelope.org_id)
        await record(envelope, uow)

    task = await run_consumer(js, sessions, handler, name, wanted=wanted)
    durable = f"{name}-on-time-entry-created"
    unwanted = envelope_for(other_org)
    try:
        await js.publish(f"labs.time.v1.{other_org}.entry.created", unwanted.SerializeToString())
        await js.publish(f"labs.time.v1.{wanted_org}.entry.created",
                         envelope_for(wanted_org).SerializeToString())
        await wait_for(lambda: _equals(effects_of(sessions, wanted_org), 1))
        await wait_for(lambda: _acked(js, durable))  # the unwanted one too
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert handled == [str(wanted_org)]
    claimed = await claims_of(sessions, durable)
    assert str(uuid.UUID(unwanted.id)) not in claimed and len(claimed) == 1


async def claims_of(sessions, durable: str) -> list[str]:
    async with UnitOfWork(sessions, "time", Scope.of_system()) as uow:
        return list((await uow.session.execute(text(
            "SELECT event_id::text FROM processed_events WHERE consumer = :c"),
            {"c": durable})).scalars().all())


async def test_an_idempotent_handler_applies_a_redelivery_once_without_a_claim(
        js, sessions):
    org = uuid.uuid4()
    name = f"keyed{uuid.uuid4().hex[:6]}"

    async def record_once(envelope, uow):  # as the activity feed: the event id is the row's key
        await uow.session.execute(text(
            "INSERT INTO effects SELECT :e, :o WHERE NOT EXISTS "
            "(SELECT 1 FROM effects WHERE event_id = :e)"),
            {"e": envelope.id, "o": envelope.org_id})

    task = await run_consumer(js, sessions, record_once, name, idempotent=True)
    envelope, second = envelope_for(org), envelope_for(org)
    try:
        for attempt in range(2):
            await js.publish(f"labs.time.v1.{org}.entry.created", envelope.SerializeToString(),
                             headers={"Nats-Msg-Id": f"{envelope.id}-{attempt}"})
        await js.publish(f"labs.time.v1.{org}.entry.created", second.SerializeToString())
        await wait_for(lambda: _equals(effects_of(sessions, org), 2))
        await wait_for(lambda: _acked(js, f"{name}-on-time-entry-created"))
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert await effects_of(sessions, org) == 2
    assert await claims_of(sessions, f"{name}-on-time-entry-created") == []


async def _acked(js, durable: str) -> bool:
    info = await js.consumer_info(stream_name("time"), durable)
    return (info.num_pending, info.num_ack_pending) == (0, 0)


async def _equals(awaitable, expected) -> bool:
    return await awaitable == expected


async def test_a_stopped_consumer_leaves_nothing_for_drain_to_wait_on(js, nats_url, sessions):
    # A service stops by cancelling its consumers, then draining NATS. A message that reaches a
    # cancelled consumer's pull request must not keep drain waiting for a reader that is gone.
    connection = await nats.connect(nats_url)  # its own: this test drains it
    try:
        own = connection.jetstream()
        durable = f"stop{uuid.uuid4().hex[:6]}"
        task = await run_consumer(own, sessions, record, durable)
        subscription = Subscription(durable, "time", "entry.created", record)

        async def consumer(field: str) -> int:
            try:
                info = await own.consumer_info(stream_name("time"), subscription.durable)
            except nats.js.errors.NotFoundError:
                return 0
            return getattr(info, field)

        await wait_for(lambda: _positive(consumer("num_waiting")))  # its pull request is out
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        org = uuid.uuid4()
        await own.publish(
            f"labs.time.v1.{org}.entry.created", envelope_for(org).SerializeToString()
        )
        # Left subscribed, the consumer's pull request still held by the server gets the message
        # with nobody left to read it: give that a moment to happen.
        with contextlib.suppress(AssertionError):
            await wait_for(lambda: _positive(consumer("num_ack_pending")), timeout=1)
        # (nats-py's drain swallows its own cancellation: measure rather than expect an error.)
        started = time.monotonic()
        await asyncio.wait_for(connection.drain(), timeout=3)
        assert time.monotonic() - started < 1.5
    finally:
        if not connection.is_closed:
            await connection.close()


async def _positive(awaitable) -> bool:
    return await awaitable > 0
