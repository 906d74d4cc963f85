"""Durable JetStream consumers whose effects are idempotent.

For each message: decode the envelope, open a unit of work scoped to the event's org, claim the
event id in the inbox, apply the handler, commit, and only then ack. A redelivered event finds its
id claimed and is acked without effect.

What fails is either the infrastructure's or the event's. An outage (PostgreSQL unreachable or
restarting, a connection dropped, another service unavailable: labs_common.transient) is waited
out: nak with backoff, as often as it takes, never dead-lettered (so the server's own max_deliver
is unlimited). Poison is parked in the dead-letter stream with the subject it came on (`python -m
labs_common.events.replay` publishes it there again): at once when it cannot be read (not an
envelope, malformed ids), after `max_deliver` deliveries when the handler keeps refusing it.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from google.protobuf.message import DecodeError
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from opentelemetry import propagate, trace

from labs.events.v1 import envelope_pb2
from labs_common.db.uow import Scope, UnitOfWork
from labs_common.events.streams import DEAD_LETTER_PREFIX, stream_name
from labs_common.transient import is_transient

log = structlog.get_logger(__name__)
tracer = trace.get_tracer("labs.events")

# Headers of a dead letter: where it came from (the replay publishes it there again), who gave up.
ORIGINAL_SUBJECT = "Labs-Subject"
FAILED_CONSUMER = "Labs-Consumer"
FAILURE = "Labs-Error"
MAX_BACKOFF_SECONDS = 30


def backoff(deliveries: int) -> float:
    """Seconds until an event that failed `deliveries` times is offered again."""
    return min(2 ** min(deliveries, 5), MAX_BACKOFF_SECONDS)


Handler = Callable[[envelope_pb2.Envelope, UnitOfWork], Awaitable[None]]
Wanted = Callable[[envelope_pb2.Envelope, UnitOfWork], Awaitable[bool]]
UowFactory = Callable[[Scope], UnitOfWork]


@dataclass(frozen=True)
class Subscription:
    """`handler` runs for every event of `source` whose type matches `event_type` ("*.*" = all).

    `wanted`, when given, is asked first, in the event's transaction and before its id is
    claimed: False acks the event with no claim and no effect. A consumer that hears every event
    for the few orgs that use it (outgoing webhooks) so spends no write on the rest.

    `idempotent`: applying the event twice changes nothing by the handler's own writes (a row
    keyed by the event's id inserted ON CONFLICT DO NOTHING, as the activity feed's; a read
    model's upsert of the newer state), so the inbox claim, a second write per event, is
    skipped."""

    consumer: str
    source: str
    event_type: str
    handler: Handler
    max_deliver: int = 8
    wanted: Wanted | None = None
    idempotent: bool = False

    @property
    def durable(self) -> str:
        # <consumer>-on-<aggregate>-<verb>, as the style guide names them.
        kind = self.event_type.replace(".", "-").replace("*", "all").replace(">", "all")
        return f"{self.consumer}-on-{self.source}-{kind}"

    @property
    def subject(self) -> str:
        return f"labs.{self.source}.v1.*.{self.event_type}"


class EventConsumer:
    """Runs one Subscription; `retry_delay(deliveries)` is how long a failed event waits."""

    def __init__(self, js: JetStreamContext, uow_factory: UowFactory, subscription: Subscription,
                 retry_delay: Callable[[int], float] = backoff):
        self._js = js
        self._uow_factory = uow_factory
        self._sub = subscription
        self._retry_delay = retry_delay

    async def run(self) -> None:
        pull = await self._subscribe()
        failures = 0
        try:
            while True:
                _raise_if_cancelled()
                try:
                    messages = await pull.fetch(batch=50, timeout=5)
                    failures = 0
                except (TimeoutError, NatsTimeout):
                    continue
                except Exception as error:  # NATS away or reconnecting: the pull resumes after
                    failures += 1
                    log.warning("consumer.fetch_failed", durable=self._sub.durable,
                                error=repr(error))
                    await asyncio.sleep(backoff(failures))
                    continue
                for message in messages:
                    try:
                        await self.handle(message)
                    except Exception:  # its ack or nak was lost: redelivered after ack_wait
                        log.exception("consumer.settle_failed", durable=self._sub.durable)
        finally:
            # Stopped (cancelled): drop the subscription, or what the server still sends to its
            # open pull request sits unread and the connection's drain waits for it until
            # abandoned. Unacked messages are redelivered to the next run.
            with contextlib.suppress(Exception):
                await pull.unsubscribe()

    async def _subscribe(self):
        config = ConsumerConfig(
            durable_name=self._sub.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            # Unlimited: an outage must not use up an event's deliveries (the server would stop
            # offering it, unacked, for good); _retry_or_park counts them for poison.
            max_deliver=-1,
            ack_wait=30,
            filter_subject=self._sub.subject,
        )
        stream = stream_name(self._sub.source)
        failures = 0
        while True:
            _raise_if_cancelled()
            try:
                # Create, or update a durable made with an older config.
                await self._js.add_consumer(stream, config=config)
                return await self._js.pull_subscribe(
                    self._sub.subject, durable=self._sub.durable, stream=stream, config=config
                )
            except NotFoundError:
                # The publishing service has not created its stream yet.
                log.info("consumer.waiting_for_stream", stream=stream)
                await asyncio.sleep(2)
            except Exception as error:  # NATS not reachable (yet): keep trying
                failures += 1
                log.warning("consumer.subscribe_failed", durable=self._sub.durable,
                            error=repr(error))
                await asyncio.sleep(backoff(failures))

    async def handle(self, message: Msg) -> None:
        try:
            envelope = envelope_pb2.Envelope.FromString(message.data)
            event_id = uuid.UUID(envelope.id)
            scope = Scope(
                org_id=uuid.UUID(envelope.org_id) if envelope.org_id else None,
                actor_id=uuid.UUID(envelope.actor_id) if envelope.actor_id else None,
                system=not envelope.org_id,
            )
        except (DecodeError, ValueError) as error:
            # No retry can read it: parked at once, kept for whoever fixes the publisher.
            log.error(
                "consumer.undecodable_event",
                durable=self._sub.durable,
                subject=message.subject,
                error=repr(error),
            )
            await self._park(message, f"stream-{message.metadata.sequence.stream}", error)
            return
        # Continue the trace: the relay's span from the NATS headers, else the request's own.
        headers = message.headers or {}
        carrier = (
            headers
            if "traceparent" in headers
            else {"traceparent": envelope.traceparent, "tracestate": envelope.tracestate}
        )
        with tracer.start_as_current_span(
            f"consume {envelope.source}.{envelope.type}",
            context=propagate.extract(carrier),
            kind=trace.SpanKind.CONSUMER,
            attributes={
                "messaging.system": "nats",
                "messaging.message.id": envelope.id,
                "messaging.consumer.group.name": self._sub.durable,
                "labs.org_id": envelope.org_id,
            },
        ):
            await self._apply(message, envelope, event_id, scope)

    async def _apply(
        self, message: Msg, envelope: envelope_pb2.Envelope, event_id: uuid.UUID, scope: Scope
    ) -> None:
        try:
            async with self._uow_factory(scope) as uow:
                if await self._is_new(envelope, event_id, uow):
                    await self._sub.handler(envelope, uow)
                    await uow.commit()
        except Exception as error:
            await self._retry_or_park(message, envelope, error)
            return
        await message.ack()

    async def _is_new(self, envelope: envelope_pb2.Envelope, event_id: uuid.UUID,
                      uow: UnitOfWork) -> bool:
        """Whether the handler is to run: the event is wanted, and claimed here first unless
        the handler is idempotent by itself."""
        wanted = self._sub.wanted
        if wanted is not None and not await wanted(envelope, uow):
            return False
        return self._sub.idempotent or await uow.inbox.claim(self._sub.durable, event_id)

    async def _retry_or_park(
        self, message: Msg, envelope: envelope_pb2.Envelope, error: Exception
    ) -> None:
        deliveries = message.metadata.num_delivered
        if is_transient(error):
            # Not the event's fault: wait for the dependency as long as it takes.
            log.warning(
                "consumer.dependency_unavailable",
                durable=self._sub.durable,
                event_id=envelope.id,
                deliveries=deliveries,
                error=repr(error),
            )
            await message.nak(delay=self._retry_delay(deliveries))
            return
        log.error(
            "consumer.handler_failed",
            durable=self._sub.durable,
            event_id=envelope.id,
            type=envelope.type,
            deliveries=deliveries,
            exc_info=error,
        )
        if deliveries >= self._sub.max_deliver:
            await self._park(message, envelope.id, error)
        else:
            await message.nak(delay=self._retry_delay(deliveries))

    async def _park(self, message: Msg, key: str, error: BaseException) -> None:
        """The message, as it came, in the dead-letter stream; then never offered again."""
        await self._js.publish(
            f"{DEAD_LETTER_PREFIX}.{self._sub.durable}",
            message.data,
            headers={
                "Nats-Msg-Id": f"{self._sub.durable}:{key}",
                ORIGINAL_SUBJECT: message.subject,
                FAILED_CONSUMER: self._sub.durable,
                FAILURE: " ".join(repr(error).split())[:500],  # one line: a header
            },
        )
        await message.term()


def _raise_if_cancelled() -> None:
    """Ends a consumer whose task was cancelled even where nats-py took the CancelledError for a
    timeout of its own (a pull's fetch does): the loop would otherwise go on, and a service's
    stop, waiting for its consumers, with it."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
