"""The relay outlives what used to stop it: a row NATS can never take, and NATS going away for
longer than nats-py's reconnect buffer lasts."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest
from google.protobuf import wrappers_pb2
from sqlalchemy import insert, select, text

from labs.events.v1 import envelope_pb2
from labs_common.config import BaseLabsSettings
from labs_common.db.tables import outbox
from labs_common.db.uow import Scope, UnitOfWork
from labs_common.events.connection import connect
from labs_common.events.relay import OutboxRelay, parked_subject
from labs_common.events.streams import ensure_stream
from labs_common.testing.infrastructure import free_port, start_nats

from .test_outbox_relay import record_event, stream_messages

pytestmark = pytest.mark.integration


async def wait_for(predicate, timeout: float = 15.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what} not met before the deadline")


async def insert_oversized(engine, org: uuid.UUID) -> uuid.UUID:
    """A row as an older release could write it (Outbox.add now refuses it): over 1 MiB."""
    row_id = uuid.uuid4()
    envelope = envelope_pb2.Envelope(
        id=str(row_id), type="organization.updated", source="time", org_id=str(org)
    )
    envelope.payload.Pack(wrappers_pb2.StringValue(value="x" * 1_800_000))
    async with engine.begin() as connection:
        await connection.execute(
            insert(outbox).values(
                id=row_id,
                subject=f"labs.time.v1.{org}.organization.updated",
                type="organization.updated",
                org_id=org,
                envelope=envelope.SerializeToString(),
            )
        )
    return row_id


async def test_an_oversized_row_is_parked_visibly_and_the_others_go_on(sessions, engine, js):
    notices = await js.subscribe(parked_subject("time"), ordered_consumer=True)
    relay = OutboxRelay(engine, js, poll_seconds=0.2)
    task = asyncio.create_task(relay.run())
    try:
        org = uuid.uuid4()
        before = await record_event(sessions, org, "before")
        oversized = await insert_oversized(engine, org)
        after = await record_event(sessions, org, "after")
        messages = await stream_messages(js, org, 2)
        assert {m.headers["Nats-Msg-Id"] for m in messages} == {before.id, after.id}
        notice = None
        while notice is None:
            message = await notices.next_msg(timeout=10)
            if json.loads(message.data)["outbox_id"] == str(oversized):
                notice = json.loads(message.data)
        assert notice["subject"] == f"labs.time.v1.{org}.organization.updated"
        assert notice["bytes"] > 1024 * 1024
        # Still running, and the parked row is kept (with its envelope) but never tried again.
        later = await record_event(sessions, org, "later")
        messages = await stream_messages(js, org, 3)
        assert later.id in {m.headers["Nats-Msg-Id"] for m in messages}
        assert not task.done()
        async with engine.connect() as connection:
            parked = (
                await connection.execute(
                    select(text("published_at = 'infinity'"), outbox.c.envelope)
                    .select_from(outbox)
                    .where(outbox.c.id == oversized)
                )
            ).one()
        assert parked[0] is True
        assert len(parked[1]) > 1024 * 1024
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await notices.unsubscribe()


async def test_the_relay_outlives_a_nats_outage_longer_than_its_reconnect_buffer(
    sessions, engine, tmp_path
):
    port, data = free_port(), tmp_path / "nats"
    server = start_nats(data, port)
    connection = await connect(BaseLabsSettings(nats_url=server.url), "relay-outage-test")
    js = connection.jetstream()
    await ensure_stream(js, "time")
    relay = OutboxRelay(engine, js, poll_seconds=0.2)
    task = asyncio.create_task(relay.run())
    try:
        org = uuid.uuid4()
        written = [await record_event(sessions, org, "before the outage")]
        await stream_messages(js, org, 1)
        server.stop()

        async def disconnected() -> bool:
            return not connection.is_connected

        await wait_for(disconnected, what="client disconnected")
        # 3 MB of events: more than the 2 MiB nats-py buffers while reconnecting.
        for _ in range(6):
            async with UnitOfWork(sessions, "time", Scope(org_id=org)) as uow:
                written += await uow.outbox.add_many(
                    "entry.created",
                    [wrappers_pb2.StringValue(value="y" * 100_000) for _ in range(5)],
                )
                await uow.commit()

        async def tried_and_failed() -> bool:
            return relay.failures >= 2

        await wait_for(tried_and_failed, timeout=30, what="relay retrying")
        assert not task.done()
        server = start_nats(data, port)
        messages = await stream_messages(js, org, len(written), timeout=40)
        assert sorted(m.headers["Nats-Msg-Id"] for m in messages) == sorted(e.id for e in written)
        assert not task.done()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await connection.close()
        server.stop()


class HeldJetStream:
    """JetStream whose first publish waits until the test lets it go."""

    def __init__(self, js) -> None:
        self._js = js
        self.publishing = asyncio.Event()
        self.release = asyncio.Event()

    async def publish(self, *args, **kwargs):
        if not self.release.is_set():
            self.publishing.set()
            await self.release.wait()
        return await self._js.publish(*args, **kwargs)


async def test_the_relay_outlives_postgresql_dropping_its_connection_mid_batch(
    sessions, engine, js
):
    org = uuid.uuid4()
    envelope = await record_event(sessions, org, "published while PostgreSQL restarts")
    held = HeldJetStream(js)
    relay = OutboxRelay(engine, held, poll_seconds=0.2)
    task = asyncio.create_task(relay.run())
    try:
        await asyncio.wait_for(held.publishing.wait(), timeout=10)
        # What a restart does to the relay's open transaction (it holds its rows FOR UPDATE).
        async with engine.connect() as admin:
            terminated = (
                await admin.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                        " AND state = 'idle in transaction'"
                    )
                )
            ).scalar()
        assert terminated >= 1
        held.release.set()
        messages = await stream_messages(js, org, 1)  # once: the retry was deduplicated
        assert messages[0].headers["Nats-Msg-Id"] == envelope.id

        async def marked() -> bool:
            async with engine.connect() as connection:
                return (
                    await connection.execute(
                        select(outbox.c.published_at).where(outbox.c.id == uuid.UUID(envelope.id))
                    )
                ).scalar() is not None

        await wait_for(marked, what="row marked after the retry")
        assert not task.done()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
