"""Sessions that ended before their access tokens expired (logout, password change or reset, a
removed member, a reused refresh token), so every verifier refuses those tokens at once.

Identity announces each one as `session.revoked`; every process (the gateway, every service
replica) follows those events with its own ordered JetStream consumer starting one maximum token
lifetime back, so a process started after a revocation still learns it. The memory is bounded:
an entry is dropped once the session's tokens would have expired anyway, and past `max_entries`
the soonest-expiring entries go first.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import structlog
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from labs.events.v1 import envelope_pb2
from labs.identity.v1 import events_pb2

log = structlog.get_logger(__name__)

SUBJECT = "labs.identity.v1.*.session.revoked"
STREAM = "LABS_IDENTITY"
# The longest an access token may live (identity's LABS_ACCESS_TOKEN_TTL_SECONDS is at most 1 h):
# how far back a starting process reads revocations, and how long an entry without its own
# expiry is kept.
MAX_TOKEN_LIFETIME = timedelta(hours=1)


class RevokedSessions:
    """Session ids (`sid` claims) whose access tokens must be refused, until they expire."""

    def __init__(self, max_entries: int = 100_000,
                 clock: Callable[[], float] = time.time) -> None:
        self._max = max_entries
        self._clock = clock
        self._until: dict[uuid.UUID, float] = {}
        self._expiries: list[tuple[float, uuid.UUID]] = []

    def __len__(self) -> int:
        self._prune()
        return len(self._until)

    def revoke(self, session_id: uuid.UUID, until: float | None = None) -> None:
        """Refuse the session's tokens until `until` (epoch seconds; default one max lifetime)."""
        until = until or self._clock() + MAX_TOKEN_LIFETIME.total_seconds()
        if until <= self._clock() or self._until.get(session_id, 0) >= until:
            return
        self._until[session_id] = until
        heapq.heappush(self._expiries, (until, session_id))
        self._prune()
        while len(self._until) > self._max:
            self._pop()

    def is_revoked(self, session_id: uuid.UUID | None) -> bool:
        if session_id is None:
            return False
        until = self._until.get(session_id)
        return until is not None and until > self._clock()

    def _prune(self) -> None:
        now = self._clock()
        while self._expiries and self._expiries[0][0] <= now:
            self._pop()

    def _pop(self) -> None:
        until, session_id = heapq.heappop(self._expiries)
        if self._until.get(session_id) == until:
            del self._until[session_id]

    def apply(self, data: bytes) -> None:
        """Record one `session.revoked` envelope (as published by identity)."""
        envelope, revoked = envelope_pb2.Envelope(), events_pb2.SessionRevoked()
        envelope.ParseFromString(data)
        if not envelope.payload.Unpack(revoked):
            raise ValueError(f"not a SessionRevoked: {envelope.payload.type_url}")
        until = (revoked.access_expires_at.ToDatetime(UTC).timestamp()
                 if revoked.HasField("access_expires_at") else None)
        self.revoke(uuid.UUID(revoked.session_id), until)


class SessionRevocationFeed:
    """Keeps a RevokedSessions up to date from identity's stream (every replica hears every
    revocation: an ordered, ephemeral consumer, no queue group). `run()` until cancelled."""

    def __init__(self, js: JetStreamContext, sessions: RevokedSessions,
                 retry_seconds: float = 2.0) -> None:
        self._js = js
        self.sessions = sessions
        self._retry = retry_seconds
        self.ready = asyncio.Event()

    async def run(self) -> None:
        subscription = await self._subscribe()
        try:
            await asyncio.Event().wait()
        finally:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()

    async def _subscribe(self):
        while True:
            config = ConsumerConfig(
                deliver_policy=DeliverPolicy.BY_START_TIME,
                opt_start_time=datetime.now(UTC) - MAX_TOKEN_LIFETIME,
            )
            try:
                subscription = await self._js.subscribe(
                    SUBJECT, stream=STREAM, cb=self._on_message, ordered_consumer=True,
                    config=config)
            except NotFoundError:
                # Identity has not created its stream yet, so it has revoked nothing yet either.
                log.info("revocations.waiting_for_stream", stream=STREAM)
                await asyncio.sleep(self._retry)
                continue
            except Exception as error:  # NATS not reachable yet: keep trying
                log.warning("revocations.subscribe_failed", error=str(error))
                await asyncio.sleep(self._retry)
                continue
            self.ready.set()
            return subscription

    async def _on_message(self, msg: Msg) -> None:
        try:
            self.sessions.apply(msg.data)
        except Exception as error:
            log.warning("revocations.bad_event", subject=msg.subject, error=str(error))
