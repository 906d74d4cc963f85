"""The outbox relay: publishes committed outbox rows to JetStream, then marks them sent.

Crash-safe between any two steps: a row is marked only after JetStream acknowledged it, and a row
published but not marked is published again with the same `Nats-Msg-Id`, which JetStream drops
inside its duplicate window (consumers are idempotent beyond it). Rows are claimed with
SKIP LOCKED, so several replicas share the work. A commit that wrote outbox rows wakes the relays of
its own process at once (Outbox.committed); polling covers rows written by a process that runs no
relay (a one-off command) or left by a replica that stopped before publishing them.

Not LISTEN/NOTIFY: every replica relays what it writes itself, so a notice through PostgreSQL
would only cost each replica a connection kept open, and each commit PostgreSQL's lock that
serializes the commits that notify, across the whole server.

One row failing never holds up the others: those that JetStream acknowledged are marked, the rest
are tried again with the next batch. A row that can never be published (larger than NATS's
max_payload, or not an envelope) is parked: marked with published_at = 'infinity', so it is
neither retried nor pruned and stays in the table with its envelope, logged as an error and
announced by a small notice on labs.dead_letter.outbox.<service>. A NATS or PostgreSQL outage
only makes the relay wait and try again, backing off.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from typing import NamedTuple

import structlog
from google.protobuf.message import DecodeError
from nats.errors import MaxPayloadError
from nats.js import JetStreamContext
from nats.js.errors import BadRequestError
from opentelemetry import propagate, trace
from sqlalchemy.ext.asyncio import AsyncEngine

from labs.events.v1 import envelope_pb2
from labs_common.db.begin import begin_with
from labs_common.db.driver import CLAIM_OUTBOX, MARK_PARKED, MARK_PUBLISHED, driver_of
from labs_common.events.outbox import RELAY_WAKERS
from labs_common.transient import is_transient

log = structlog.get_logger(__name__)
tracer = trace.get_tracer("labs.events")

SYSTEM_SCOPE = "SELECT set_config('labs.scope', 'system', true)"
BATCH = 200
MAX_BACKOFF_SECONDS = 30.0


def parked_subject(service: str) -> str:
    return f"labs.dead_letter.outbox.{service}"


def unpublishable(error: BaseException) -> bool:
    """Errors of the row itself, which publishing it again cannot cure: over max_payload, over
    the stream's message size (JetStream answers 400), not an envelope."""
    return isinstance(error, MaxPayloadError | BadRequestError | DecodeError)


class Pending(NamedTuple):
    id: uuid.UUID
    subject: str
    envelope: bytes


class OutboxRelay:
    def __init__(
        self, engine: AsyncEngine, js: JetStreamContext, poll_seconds: float = 1.0
    ) -> None:
        self._engine = engine
        self._js = js
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        # Batches in a row that settled nothing (an outage): how long the relay backs off.
        self.failures = 0

    async def run(self) -> None:
        RELAY_WAKERS.add(self._wake)
        try:
            while True:
                # Cleared before the batch, not after: a commit during it wakes the next one.
                self._wake.clear()
                try:
                    published = await self.publish_pending()
                    self.failures = 0
                except Exception as error:  # the relay outlives any outage
                    self.failures += 1
                    if is_transient(error):
                        log.warning("outbox.relay_retry", error=repr(error),
                                    failures=self.failures)
                    else:
                        log.exception("outbox.relay_failed", failures=self.failures)
                    await asyncio.sleep(self._backoff(self.failures))
                    continue
                if published < BATCH:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
        finally:
            RELAY_WAKERS.discard(self._wake)

    def _backoff(self, failures: int) -> float:
        return min(self._poll_seconds * 2 ** min(failures - 1, 10), MAX_BACKOFF_SECONDS)

    async def publish_pending(self) -> int:
        """Publish one batch; answers how many rows it settled (published or parked). Raises
        what failed when no row of a non-empty batch could be settled (an outage)."""
        async with self._engine.connect() as connection:
            await begin_with(connection, SYSTEM_SCOPE)
            driver = await driver_of(connection)
            rows = [Pending(*record) for record in await driver.fetch(CLAIM_OUTBOX, BATCH)]
            if not rows:
                return 0
            # Sent in order on one connection; JetStream keeps that order in the stream.
            outcomes = await asyncio.gather(
                *(self._publish(row) for row in rows), return_exceptions=True
            )
            published, parked, failed = [], [], []
            for row, outcome in zip(rows, outcomes, strict=True):
                if not isinstance(outcome, BaseException):
                    published.append(row.id)
                elif isinstance(outcome, asyncio.CancelledError):
                    raise outcome
                elif unpublishable(outcome) and await self._announce_parked(row, outcome):
                    parked.append(row.id)
                else:
                    failed.append(outcome)
            if published:
                await driver.execute(MARK_PUBLISHED, published)
            if parked:
                await driver.execute(MARK_PARKED, parked)
            await connection.commit()
        if failed:
            if not (published or parked):
                raise failed[0]
            log.warning("outbox.rows_retried", count=len(failed), error=repr(failed[0]))
        log.debug("outbox.published", count=len(published), parked=len(parked))
        return len(published) + len(parked)

    async def _announce_parked(self, row, error: BaseException) -> bool:
        """Log the row that can never be published and put a notice of it (not its envelope,
        which is what is too large) in the dead-letter stream; answers whether the notice was
        acknowledged (if not, the row stays pending and is parked on a later try)."""
        tokens = row.subject.split(".")  # labs.<service>.v1...
        service = tokens[1] if len(tokens) > 2 else "unknown"
        log.error(
            "outbox.row_parked",
            outbox_id=str(row.id),
            subject=row.subject,
            bytes=len(row.envelope),
            error=repr(error),
            hint="kept in the outbox table with published_at = 'infinity'",
        )
        notice = {
            "outbox_id": str(row.id),
            "subject": row.subject,
            "bytes": len(row.envelope),
            "error": repr(error)[:500],
        }
        try:
            await self._js.publish(
                parked_subject(service),
                json.dumps(notice).encode(),
                headers={"Nats-Msg-Id": f"outbox-parked:{row.id}", "Labs-Subject": row.subject},
            )
        except Exception as notice_error:
            log.warning("outbox.park_notice_failed", outbox_id=str(row.id),
                        error=repr(notice_error))
            return False
        return True

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
