"""Writing events: an outbox row in the caller's transaction, published later by the relay."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from google.protobuf.message import Message
from opentelemetry import propagate
from sqlalchemy.ext.asyncio import AsyncSession

from labs.events.v1 import envelope_pb2
from labs_common.db.driver import INSERT_OUTBOX, driver_of
from labs_common.errors import InvalidArgument

# NATS refuses a message over its max_payload (1 MiB unless configured otherwise), headers
# included: an event that big could never be published, so it is refused while its request can
# still be answered, with room left for the headers (message id, trace context).
MAX_ENVELOPE_BYTES = 1024 * 1024 - 64 * 1024

# The relays running in this process (labs_common.events.relay), woken when one of its
# transactions commits outbox rows.
RELAY_WAKERS: set[asyncio.Event] = set()


class EventTooLarge(InvalidArgument):
    """The change would announce an event too large to publish (a 422 at the gateway)."""


def subject_for(service: str, org_id: uuid.UUID | None, event_type: str) -> str:
    """labs.<service>.v1.<org_id>.<aggregate>.<verb>; platform-wide events use `_` for the org."""
    return f"labs.{service}.v1.{org_id or '_'}.{event_type}"


class Outbox:
    def __init__(
        self,
        session: AsyncSession,
        service: str,
        org_id: uuid.UUID | None,
        actor_id: uuid.UUID | None,
    ) -> None:
        self._session = session
        self._service = service
        self._org_id = org_id
        self._actor_id = actor_id
        self._written = False

    def committed(self) -> None:
        """Its transaction committed: the relays of this process publish what it wrote now,
        not at their next poll."""
        if self._written:
            for wake in RELAY_WAKERS:
                wake.set()

    async def add(
        self,
        event_type: str,
        payload: Message,
        *,
        org_id: uuid.UUID | None = None,
        actor_id: uuid.UUID | None = None,
        project_id: uuid.UUID | None = None,
    ) -> envelope_pb2.Envelope:
        """Record `payload` as event `event_type` ("aggregate.verb") of this transaction's org.

        `org_id` / `actor_id` are for system-scoped transactions that act for one tenant
        (sign-up, sign-in); otherwise they come from the transaction's scope.
        """
        (envelope,) = await self.add_many(event_type, [payload], org_id=org_id,
                                          actor_id=actor_id, project_id=project_id)
        return envelope

    async def add_many(
        self,
        event_type: str,
        payloads: list[Message],
        *,
        org_id: uuid.UUID | None = None,
        actor_id: uuid.UUID | None = None,
        project_id: uuid.UUID | None = None,
    ) -> list[envelope_pb2.Envelope]:
        """`add` for several events of one type in one statement (bulk work such as an import
        batch). Like events of one transaction, they carry no order among themselves."""
        if not payloads:
            return []
        org = org_id or self._org_id
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        shared = envelope_pb2.Envelope(
            type=event_type,
            source=self._service,
            org_id=str(org or ""),
            actor_id=str(actor_id or self._actor_id or ""),
            traceparent=carrier.get("traceparent", ""),
            tracestate=carrier.get("tracestate", ""),
            project_id=str(project_id or ""),
        )
        shared.occurred_at.FromDatetime(datetime.now(UTC))
        subject = subject_for(self._service, org, event_type)
        envelopes, rows = [], []
        for payload in payloads:
            envelope = envelope_pb2.Envelope()
            envelope.CopyFrom(shared)
            envelope.id = str(uuid.uuid4())
            envelope.payload.Pack(payload)
            data = envelope.SerializeToString()
            if len(data) > MAX_ENVELOPE_BYTES:
                raise EventTooLarge(
                    f"The change is too large to record: its {event_type} event would be "
                    f"{len(data)} bytes, at most {MAX_ENVELOPE_BYTES} are allowed.",
                    reason="EVENT_TOO_LARGE",
                    metadata={"event_type": event_type, "bytes": str(len(data)),
                              "max_bytes": str(MAX_ENVELOPE_BYTES)},
                )
            envelopes.append(envelope)
            rows.append((uuid.UUID(envelope.id), subject, event_type, org, data))
        await self._store(envelopes, rows)
        self._written = True
        return envelopes

    async def _store(self, envelopes: list[envelope_pb2.Envelope], rows: list[tuple]) -> None:
        """The rows (id, subject, type, org_id, envelope) in this transaction's outbox table (the
        fake outbox keeps the envelopes)."""
        driver = await driver_of(self._session)
        await driver.execute(INSERT_OUTBOX, *(list(column) for column in zip(*rows, strict=True)))
