"""Consumers wait out an outage instead of parking its events, park poison where the replay finds
it, and outlive an envelope they cannot read."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid

import pytest
from nats.js.api import AckPolicy, ConsumerConfig
from nats.js.errors import NotFoundError
from sqlalchemy.ext.asyncio import create_async_engine

from labs.events.v1 import envelope_pb2
from labs_common.db.engine import sessionmaker
from labs_common.db.uow import UnitOfWork
from labs_common.events.consumer import ORIGINAL_SUBJECT, EventConsumer, Subscription
from labs_common.events.replay import replay
from labs_common.events.streams import DEAD_LETTER_STREAM
from labs_common.testing.infrastructure import free_port

from .test_consumer import _equals, effects_of, envelope_for, record, wait_for

pytestmark = pytest.mark.integration


def subject_of(org: uuid.UUID) -> str:
    return f"labs.time.v1.{org}.entry.created"


def start(js, uow_factory, handler, durable: str) -> asyncio.Task:
    subscription = Subscription(durable, "time", "entry.created", handler, max_deliver=3)
    consumer = EventConsumer(js, uow_factory, subscription, retry_delay=lambda _n: 0.05)
    return asyncio.create_task(consumer.run())


async def dead_letter_of(js, durable: str):
    try:
        return await js.get_last_msg(
            DEAD_LETTER_STREAM, f"labs.dead_letter.{durable}-on-time-entry-created"
        )
    except NotFoundError:
        return None


async def stop(task: asyncio.Task) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_an_unreachable_database_is_waited_out_however_many_deliveries_it_takes(js, sessions):
    org, durable = uuid.uuid4(), f"outage{uuid.uuid4().hex[:6]}"
    # Nothing listens there: the real error a stopped PostgreSQL gives, through SQLAlchemy.
    down = create_async_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/labs")
    attempts = []

    def uow_factory(scope):
        attempts.append(scope)
        # More failed deliveries than max_deliver (3) before the database is back.
        return UnitOfWork(sessionmaker(down) if len(attempts) <= 6 else sessions, "time", scope)

    async def mine(envelope, uow):
        if envelope.org_id == str(org):
            await record(envelope, uow)

    task = start(js, uow_factory, mine, durable)
    try:
        await js.publish(subject_of(org), envelope_for(org).SerializeToString())
        await wait_for(lambda: _equals(effects_of(sessions, org), 1), timeout=20)
        assert len(attempts) >= 7
        assert await dead_letter_of(js, durable) is None
        assert not task.done()
    finally:
        await stop(task)
        await down.dispose()


async def test_poison_is_parked_with_its_subject_and_replayed_once_fixed(js, sessions):
    org, durable = uuid.uuid4(), f"poison{uuid.uuid4().hex[:6]}"
    broken = True

    async def handler(envelope, uow):
        if envelope.org_id != str(org):
            return
        if broken:
            raise ValueError("a bug in the handler")
        await record(envelope, uow)

    task = start(js, lambda scope: UnitOfWork(sessions, "time", scope), handler, durable)
    try:
        envelope = envelope_for(org)
        await js.publish(subject_of(org), envelope.SerializeToString())

        async def parked():
            return await dead_letter_of(js, durable) is not None

        await wait_for(parked, timeout=15)
        letter = await dead_letter_of(js, durable)
        assert letter.headers[ORIGINAL_SUBJECT] == subject_of(org)
        assert envelope_pb2.Envelope.FromString(letter.data).id == envelope.id

        broken = False  # the bug is fixed and deployed
        consumer = f"{durable}-on-time-entry-created"
        done = await replay(js, consumer=consumer)
        assert done.count("replayed") == 1
        await wait_for(lambda: _equals(effects_of(sessions, org), 1))
        assert await dead_letter_of(js, durable) is None
        assert (await replay(js, consumer=consumer)).count("replayed") == 0
        # Replayed again by hand (as after a crash between publish and delete): no second effect.
        await js.publish(subject_of(org), envelope.SerializeToString())
        second = envelope_for(org)
        await js.publish(subject_of(org), second.SerializeToString())
        await wait_for(lambda: _equals(effects_of(sessions, org), 2))
    finally:
        await stop(task)


async def test_a_malformed_org_id_is_parked_and_the_consumer_goes_on(js, sessions):
    org, durable = uuid.uuid4(), f"malformed{uuid.uuid4().hex[:6]}"
    task = start(js, lambda scope: UnitOfWork(sessions, "time", scope), record, durable)
    try:
        malformed = envelope_for(org)
        malformed.org_id = "not-an-org"
        await js.publish(subject_of(org), malformed.SerializeToString())
        await js.publish(subject_of(org), envelope_for(org).SerializeToString())
        await wait_for(lambda: _equals(effects_of(sessions, org), 1))
        letter = await dead_letter_of(js, durable)
        assert letter is not None
        assert envelope_pb2.Envelope.FromString(letter.data).id == malformed.id
        assert not task.done()
    finally:
        await stop(task)


async def test_a_durable_made_with_a_delivery_limit_loses_it(js, sessions):
    # Made by an earlier release: the server would stop offering an event after 8 deliveries,
    # however long the outage that failed them.
    durable = f"legacy{uuid.uuid4().hex[:6]}"
    subscription = Subscription(durable, "time", "entry.created", record)
    await js.add_consumer(
        "LABS_TIME",
        ConsumerConfig(
            durable_name=subscription.durable,
            ack_policy=AckPolicy.EXPLICIT,
            max_deliver=8,
            filter_subject=subscription.subject,
        ),
    )
    task = start(js, lambda scope: UnitOfWork(sessions, "time", scope), record, durable)
    try:

        async def unlimited() -> bool:
            info = await js.consumer_info("LABS_TIME", subscription.durable)
            return info.config.max_deliver == -1

        await wait_for(unlimited)
    finally:
        await stop(task)


def test_the_replay_command_lists_without_replaying(nats_url):
    # A process of its own, as an operator runs it (asyncio.run in this one would leave the
    # test session without an event loop).
    done = subprocess.run(
        [sys.executable, "-m", "labs_common.events.replay",
         "--consumer", "nobody-on-time-entry-created", "--dry-run"],
        env={**os.environ, "LABS_NATS_URL": nats_url}, capture_output=True, text=True,
        timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("0 replayed, 0 dead letters seen")
