"""The outbox relay: publishes committed outbox rows to JetStream, then marks them sent.

Crash-safe between any two steps: a row is marked only after JetStream acknowledged it, and a row
published but not marked is published again with the same `Nats-Msg-Id`, which JetStream drops
inside its duplicate window (consumers are idempotent beyond it). Rows are claimed with
SKIP LOCKED, so several replicas share the work. LISTEN/NOTIFY wakes the relay at commit time;
polling covers a lost notification.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import asyncpg
import structlog
from nats.js import JetStreamContext
from opentelemetry import propagate, trace
from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from labs.events.v1 import envelope_pb2
from labs_common.db.engine import asyncpg_dsn
from labs_common.db.tables import outbox

log = structlog.get_logger(__name__)
tracer = trace.get_tracer("labs.events")

BATCH = 200
RETENTION = timedelta(days=7)


class OutboxRelay:
    def __init__(
        self, engine: AsyncEngine, js: JetStreamContext, poll_seconds: float = 1.0
    ) -> None:
        self._engine = engine
        self._js = js
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()

    async def run(self) -> None:
        listener = await self._listen()
        try:
            while True:
                try:
                    published = await self.publish_pending()
                except (TimeoutError, OSError, asyncpg.PostgresError) as error:
                    log.warning("outbox.relay_retry", error=str(error))
                    published = 0
                    await asyncio.sleep(self._poll_seconds)
                if published < BATCH:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
        finally:
            if listener is not None:
                await listener.close()

    async def publish_pending(self) -> int:
        """Publish one batch; answers how many rows it published."""
        async with self._engine.begin() as connection:
            await connection.execute(text("SELECT set_config('labs.scope', 'system', true)"))
            rows = (
                await connection.execute(
                    select(outbox.c.id, outbox.c.subject, outbox.c.envelope)
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.created_at, outbox.c.id)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            # Sent in order on one connection; JetStream keeps that order in the stream.
            await asyncio.gather(*(self._publish(row) for row in rows))
            await connection.execute(
                update(outbox)
                .where(outbox.c.id.in_([row.id for row in rows]))
                .values(published_at=datetime.now(UTC))
            )
        log.debug("outbox.published", count=len(rows))
        return len(rows)

    async def _publish(self, row) -> None:
        """One message, in a PRODUCER span of the trace of the request that wrote it; the span's
        context travels in the NATS headers to whoever consumes the event."""
        envelope = envelope_pb2.Envelope.FromString(row.envelope)
        parent = propagate.extract(
            {"traceparent": envelope.traceparent, "tracestate": envelope.tracestate}
        )
        with tracer.start_as_current_span(
            f"publish {envelope.source}.{envelope.type}",
            context=parent,
            kind=trace.SpanKind.PRODUCER,
            attributes={
                "messaging.system": "nats",
                "messaging.destination.name": row.subject,
                "messaging.message.id": envelope.id,
            },
        ):
            headers = {"Nats-Msg-Id": str(row.id)}
            propagate.inject(headers)
            await self._js.publish(row.subject, row.envelope, headers=headers)

    async def prune(self) -> int:
        """Forget rows published longer ago than the retention period."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                delete(outbox).where(outbox.c.published_at < datetime.now(UTC) - RETENTION)
            )
        return result.rowcount

    async def _listen(self) -> asyncpg.Connection | None:
        try:
            connection = await asyncpg.connect(asyncpg_dsn(self._engine.url))
            await connection.add_listener("labs_outbox", lambda *_: self._wake.set())
            return connection
        except (OSError, asyncpg.PostgresError) as error:
            log.warning("outbox.listen_unavailable", error=str(error))
            return None
