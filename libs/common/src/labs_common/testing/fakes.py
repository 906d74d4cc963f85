"""In-memory stand-ins for the unit of work's platform parts, so a handler test runs with no
PostgreSQL, no NATS and no other service: `FakeUnitOfWork` (subclass it and attach fake
repositories in `_start`, as a service's unit of work attaches real ones), the outbox it records
events in, and a caller to act as.

    uow = FakeCapacityUnitOfWork(caller=a_caller(Role.MANAGER))
    await create_holiday(CreateHoliday(date="2026-12-25", name="Christmas"), uow)
    assert uow.outbox.types() == ["holiday.created"]
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Self

from google.protobuf import descriptor_pool as pool
from google.protobuf import message_factory
from google.protobuf.message import Message

from labs.events.v1 import envelope_pb2
from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.db.uow import Scope, caller_of
from labs_common.errors import Conflict, InvalidArgument
from labs_common.events.outbox import Outbox


def a_caller(
    role: Role = Role.MEMBER,
    *,
    org_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    client_id: uuid.UUID | None = None,
) -> Principal:
    """A verified caller with `role` in an org (a fresh one unless given)."""
    return Principal(
        user_id=user_id or uuid.uuid4(),
        org_id=org_id or uuid.uuid4(),
        role=role,
        token="fake-token",
        client_id=client_id,
    )


class FakeOutbox(Outbox):
    """The real outbox's envelopes, kept in order instead of written to a table."""

    def __init__(self, scope: Scope) -> None:
        super().__init__(None, "test", scope.org_id, scope.actor_id)  # type: ignore[arg-type]
        self.events: list[envelope_pb2.Envelope] = []

    async def _store(self, envelopes: list[envelope_pb2.Envelope], rows: list[tuple]) -> None:
        self.events.extend(envelopes)

    def types(self) -> list[str]:
        return [event.type for event in self.events]

    def of_type(self, event_type: str) -> list[Message]:
        """The payloads of the events of `event_type`, as their messages."""
        return [_payload(event) for event in self.events if event.type == event_type]


def _payload(envelope: envelope_pb2.Envelope) -> Message:
    name = envelope.payload.TypeName()
    message = message_factory.GetMessageClass(pool.Default().FindMessageTypeByName(name))()
    envelope.payload.Unpack(message)
    return message


class FakeInbox:
    def __init__(self) -> None:
        self.claimed: set[tuple[str, uuid.UUID]] = set()

    async def claim(self, consumer: str, event_id: uuid.UUID) -> bool:
        if (consumer, event_id) in self.claimed:
            return False
        self.claimed.add((consumer, event_id))
        return True


@dataclass
class FakeIdempotencyRecords:
    records: dict[str, tuple[str, bytes | None]] = field(default_factory=dict)

    async def claim(self, key: str, fingerprint: str) -> bytes | None:
        if key not in self.records:
            self.records[key] = (fingerprint, None)
            return None
        recorded, response = self.records[key]
        if recorded != fingerprint:
            raise InvalidArgument(
                "This Idempotency-Key was already used with a different request.",
                reason="IDEMPOTENCY_KEY_REUSED",
            )
        if response is None:
            raise Conflict(
                "The first request with this Idempotency-Key did not complete.",
                reason="IDEMPOTENCY_KEY_INCOMPLETE",
            )
        return response

    async def record(self, key: str, response: bytes) -> None:
        self.records[key] = (self.records[key][0], response)


class FakeUnitOfWork:
    """The unit of work's interface in memory: `committed` says whether the work would stand."""

    def __init__(self, scope: Scope | None = None, *, caller: Principal | None = None) -> None:
        if scope is None:
            scope = Scope.of_caller(caller) if caller else Scope.of_system()
        self.scope = scope
        self.service = "test"
        self.outbox = FakeOutbox(scope)
        self.inbox = FakeInbox()
        self.idempotency = FakeIdempotencyRecords()
        self.committed = False
        self.rolled_back = False
        self._start()

    def _start(self) -> None:
        """Hook for subclasses: attach fake repositories."""

    @property
    def caller(self) -> Principal:
        return caller_of(self.scope)

    def factory(self):
        """A unit-of-work factory (what servicers take) that always answers this one."""
        return lambda _scope: self

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info) -> None:
        if not self.committed:
            self.rolled_back = True

    async def commit(self) -> None:
        self.committed = True

    async def rollback(self) -> None:
        self.rolled_back = True
