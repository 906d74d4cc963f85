"""The outbox relay loses nothing and duplicates nothing, whenever it is interrupted."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from google.protobuf import wrappers_pb2
from sqlalchemy import select, text

from labs.events.v1 import envelope_pb2
from labs_common.db.tables import outbox
from labs_common.db.uow import Scope, UnitOfWork
from labs_common.events.relay import OutboxRelay

pytestmark = pytest.mark.integration


async def record_event(sessions, org_id: uuid.UUID, note: str) -> envelope_pb2.Envelope:
    async with UnitOfWork(sessions, "time", Scope(org_id=org_id)) as uow:
        envelope = await uow.outbox.add("entry.created", wrappers_pb2.StringValue(value=note))
        await uow.commit()
    return envelope


async def stream_messages(js, org_id: uuid.UUID, expected: int, timeout: float = 10.0):
    subscription = await js.subscribe(f"labs.time.v1.{org_id}.>", ordered_consumer=True)
    messages = []
    try:
        while len(messages) < expected:
            messages.append(await subscription.next_msg(timeout=timeout))
        # Anything beyond the expected count would be a duplicate: there must be none pending.
        with pytest.raises(Exception):  # noqa: B017 - nats raises its own TimeoutError
            await subscription.next_msg(timeout=0.3)
    finally:
        await subscription.unsubscribe()
    return messages


async def test_an_event_rolled_back_with_its_transaction_is_never_published(sessions, engine, js):
    org = uuid.uuid4()
    async with UnitOfWork(sessions, "time", Scope(org_id=org)) as uow:
        await uow.outbox.add("entry.created", wrappers_pb2.StringValue(value="rolled back"))
    kept = await record_event(sessions, org, "kept")
    await OutboxRelay(engine, js).publish_pending()
    messages = await stream_messages(js, org, 1)
    assert envelope_pb2.Envelope.FromString(messages[0].data).id == kept.id


async def test_a_relay_that_died_after_publishing_does_not_duplicate(sessions, engine, js):
    org = uuid.uuid4()
    envelope = await record_event(sessions, org, "published, then the relay died")
    # The dead relay's half: the message reached JetStream, the row was never marked.
    await js.publish(
        f"labs.time.v1.{org}.entry.created",
        envelope.SerializeToString(),
        headers={"Nats-Msg-Id": envelope.id},
    )
    assert await OutboxRelay(engine, js).publish_pending() >= 1
    messages = await stream_messages(js, org, 1)
    assert messages[0].headers["Nats-Msg-Id"] == envelope.id
    async with engine.connect() as connection:
        published_at = (
            await connection.execute(
                select(outbox.c.published_at).where(outbox.c.id == uuid.UUID(envelope.id))
            )
        ).scalar()
    assert published_at is not None


async def test_the_running_relay_publishes_a_commit_of_its_process_at_once(sessions, engine, js):
    relay = asyncio.create_task(OutboxRelay(engine, js, poll_seconds=30).run())
    try:
        first, org = uuid.uuid4(), uuid.uuid4()
        await record_event(sessions, first, "before the relay has settled into its wait")
        await stream_messages(js, first, 1, timeout=5)
        # Waiting now for a poll 30 s away: only the commit itself can wake it in time.
        envelope = await record_event(sessions, org, "woken by the commit, not by polling")
        messages = await stream_messages(js, org, 1, timeout=5)
        assert messages[0].headers["Nats-Msg-Id"] == envelope.id
    finally:
        relay.cancel()
        await asyncio.gather(relay, return_exceptions=True)


class FirstBatchHeld(OutboxRelay):
    """A relay whose first batch finds nothing and is held open until the test lets it end."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.in_first_batch, self.end_first_batch = asyncio.Event(), asyncio.Event()
        self.batches = 0

    async def publish_pending(self) -> int:
        self.batches += 1
        if self.batches == 1:
            self.in_first_batch.set()
            await self.end_first_batch.wait()
            return 0
        return await super().publish_pending()


async def test_a_commit_during_a_batch_is_published_by_the_next_one(sessions, engine, js):
    relay = FirstBatchHeld(engine, js, poll_seconds=30)
    running = asyncio.create_task(relay.run())
    try:
        await asyncio.wait_for(relay.in_first_batch.wait(), 5)
        org = uuid.uuid4()
        envelope = await record_event(sessions, org, "committed while a batch was under way")
        relay.end_first_batch.set()
        messages = await stream_messages(js, org, 1, timeout=5)
        assert messages[0].headers["Nats-Msg-Id"] == envelope.id
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_a_row_another_process_wrote_is_published_by_the_poll(engine, js):
    """A one-off command, or a replica that stopped before its relay ran: nothing in this process
    committed the row, so only polling finds it."""
    org = uuid.uuid4()
    envelope = envelope_pb2.Envelope(id=str(uuid.uuid4()), type="entry.created", source="time",
                                     org_id=str(org))
    relay = asyncio.create_task(OutboxRelay(engine, js, poll_seconds=0.2).run())
    try:
        async with engine.begin() as connection:
            await connection.execute(text("SELECT set_config('labs.scope', 'system', true)"))
            await connection.execute(outbox.insert().values(
                id=uuid.UUID(envelope.id), subject=f"labs.time.v1.{org}.entry.created",
                type="entry.created", org_id=org, envelope=envelope.SerializeToString()))
        messages = await stream_messages(js, org, 1, timeout=5)
        assert messages[0].headers["Nats-Msg-Id"] == envelope.id
    finally:
        relay.cancel()
        await asyncio.gather(relay, return_exceptions=True)


async def test_events_added_together_are_each_published_once(sessions, engine, js):
    org = uuid.uuid4()
    notes = [f"batch event {i}" for i in range(3)]
    async with UnitOfWork(sessions, "time", Scope(org_id=org)) as uow:
        added = await uow.outbox.add_many(
            "entry.imported", [wrappers_pb2.StringValue(value=note) for note in notes])
        await uow.commit()
    await OutboxRelay(engine, js).publish_pending()
    messages = await stream_messages(js, org, 3)
    published = [envelope_pb2.Envelope.FromString(m.data) for m in messages]
    assert sorted(e.id for e in published) == sorted(e.id for e in added)
    values = []
    for envelope in published:
        payload = wrappers_pb2.StringValue()
        envelope.payload.Unpack(payload)
        values.append(payload.value)
        assert (envelope.type, envelope.org_id) == ("entry.imported", str(org))
    assert sorted(values) == notes
