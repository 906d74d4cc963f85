"""Durable JetStream consumers whose effects are idempotent.

For each message: decode the envelope (undecodable → terminate and log loudly), open a unit of
work scoped to the event's org, claim the event id in the inbox, apply the handler, commit, and
only then ack. A redelivered event finds its id claimed and is acked without effect. A failing
handler is retried with backoff up to `max_deliver` times, then parked in the dead-letter stream.
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
from labs_common.events.streams import stream_name

log = structlog.get_logger(__name__)
tracer = trace.get_tracer("labs.events")

Handler = Callable[[envelope_pb2.Envelope, UnitOfWork], Awaitable[None]]
UowFactory = Callable[[Scope], UnitOfWork]


@dataclass(frozen=True)
class Subscription:
    """`handler` runs for every event of `source` whose type matches `event_type` ("*.*" = all)."""

    consumer: str
    source: str
    event_type: str
    handler: Handler
    max_deliver: int = 8

    @property
    def durable(self) -> str:
        # <consumer>-on-<aggregate>-<verb>, as the style guide names them.
        kind = self.event_type.replace(".", "-").replace("*", "all").replace(">", "all")
        return f"{self.consumer}-on-{self.source}-{kind}"

    @property
    def subject(self) -> str:
        return f"labs.{self.source}.v1.*.{self.event_type}"


class EventConsumer:
    def __init__(self, js: JetStreamContext, uow_factory: UowFactory, subscription: Subscription):
        self._js = js
        self._uow_factory = uow_factory
        self._sub = subscription

    async def run(self) -> None:
        pull = await self._subscribe()
        try:
            while True:
                try:
                    messages = await pull.fetch(batch=50, timeout=5)
                except (TimeoutError, NatsTimeout):
                    continue
                for message in messages:
                    await self.handle(message)
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
            max_deliver=self._sub.max_deliver,
            ack_wait=30,
            filter_subject=self._sub.subject,
        )
        while True:
            try:
                return await self._js.pull_subscribe(
                    self._sub.subject,
                    durable=self._sub.durable,
                    stream=stream_name(self._sub.source),
                    config=config,
                )
            except NotFoundError:
                # The publishing service has not created its stream yet.
                log.info("consumer.waiting_for_stream", stream=stream_name(self._sub.source))
                await asyncio.sleep(2)

    async def handle(self, message: Msg) -> None:
        try:
            envelope = envelope_pb2.Envelope.FromString(message.data)
            event_id = uuid.UUID(envelope.id)
        except (DecodeError, ValueError):
            log.error(
                "consumer.undecodable_event", durable=self._sub.durable, subject=message.subject
            )
            await message.term()
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
            await self._apply(message, envelope, event_id)

    async def _apply(
        self, message: Msg, envelope: envelope_pb2.Envelope, event_id: uuid.UUID
    ) -> None:
        scope = Scope(
            org_id=uuid.UUID(envelope.org_id) if envelope.org_id else None,
            actor_id=uuid.UUID(envelope.actor_id) if envelope.actor_id else None,
            system=not envelope.org_id,
        )
        try:
            async with self._uow_factory(scope) as uow:
                if await uow.inbox.claim(self._sub.durable, event_id):
                    await self._sub.handler(envelope, uow)
                    await uow.commit()
        except Exception:
            await self._retry_or_park(message, envelope)
            return
        await message.ack()

    async def _retry_or_park(self, message: Msg, envelope: envelope_pb2.Envelope) -> None:
        deliveries = message.metadata.num_delivered
        log.exception(
            "consumer.handler_failed",
            durable=self._sub.durable,
            event_id=envelope.id,
            type=envelope.type,
            deliveries=deliveries,
        )
        if deliveries >= self._sub.max_deliver:
            await self._js.publish(
                f"labs.dead_letter.{self._sub.durable}",
                message.data,
                headers={"Nats-Msg-Id": f"{self._sub.durable}:{envelope.id}"},
            )
            await message.term()
        else:
            await message.nak(delay=min(2**deliveries, 60))
