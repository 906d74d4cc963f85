"""Unit of work: one transaction, scoped to one tenant, that commits state, outbox rows,
inbox claims and idempotency records together or not at all."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Self

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from labs_common.db.tables import idempotency_keys, processed_events
from labs_common.errors import Conflict, InvalidArgument, Unauthenticated
from labs_common.events.outbox import Outbox

if TYPE_CHECKING:
    from labs_common.auth.principal import Principal


@dataclass(frozen=True)
class Scope:
    """Whose data a transaction may touch; `system` sees every tenant (relays, sign-in)."""

    org_id: uuid.UUID | None = None
    actor_id: uuid.UUID | None = None
    system: bool = False
    # Who asks, when a person or an API key does: handlers check roles on it.
    caller: Principal | None = None

    @classmethod
    def of_system(cls) -> Scope:
        return cls(system=True)

    @classmethod
    def of_caller(cls, principal: Principal) -> Scope:
        """The caller's org, acted on by the caller."""
        return cls(org_id=principal.org_id, actor_id=principal.user_id, caller=principal)


def caller_of(scope: Scope) -> Principal:
    """The principal a tenant transaction acts for; a system one has none to offer."""
    if scope.caller is None:
        raise Unauthenticated("Authentication required.")
    return scope.caller


class UnitOfWork:
    """`async with uow:` opens the transaction; leaving it without `commit()` rolls back.

    Services subclass it and name their repositories in `repositories`: each is built on the
    transaction's session and bound to the scope's org (labs_common.db.repository).
    """

    session: AsyncSession
    outbox: Outbox
    repositories: ClassVar[dict[str, Callable[[AsyncSession, uuid.UUID | None], object]]] = {}

    def __init__(self, sessions: async_sessionmaker, service: str, scope: Scope) -> None:
        self._sessions = sessions
        self.service = service
        self.scope = scope
        self._committed = False

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        await self.session.begin()
        await self.session.execute(
            text(
                "SELECT set_config('labs.org_id', :org, true),"
                " set_config('labs.scope', :scope, true)"
            ),
            {
                "org": str(self.scope.org_id or ""),
                "scope": "system" if self.scope.system else "tenant",
            },
        )
        self.outbox = Outbox(self.session, self.service, self.scope.org_id, self.scope.actor_id)
        self.idempotency = IdempotencyRecords(self.session, self.scope)
        self.inbox = Inbox(self.session)
        self._start()
        return self

    def _start(self) -> None:
        for name, build in self.repositories.items():
            setattr(self, name, build(self.session, self.scope.org_id))

    @property
    def caller(self) -> Principal:
        return caller_of(self.scope)

    async def __aexit__(self, *exc_info) -> None:
        try:
            if not self._committed:
                await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()
        self._committed = True

    async def rollback(self) -> None:
        await self.session.rollback()


class Inbox:
    """Processed event ids of durable consumers; claiming one twice answers False."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, consumer: str, event_id: uuid.UUID) -> bool:
        result = await self._session.execute(
            insert(processed_events)
            .values(consumer=consumer, event_id=event_id)
            .on_conflict_do_nothing()
            .returning(processed_events.c.event_id)
        )
        return result.first() is not None


class IdempotencyRecords:
    """The first response to an Idempotency-Key, stored in the same transaction as its effect."""

    def __init__(self, session: AsyncSession, scope: Scope) -> None:
        self._session = session
        self._scope = self.caller_scope(scope)

    @staticmethod
    def caller_scope(scope: Scope) -> str:
        """Whose keys these are: the org and the principal (a person, or one of their API
        keys), so a key never replays an answer to anyone else; "public" before any tenant."""
        if scope.org_id is None:
            return "public"
        caller = scope.caller
        if caller is None:
            return f"{scope.org_id}/{scope.actor_id or 'system'}"
        parts = [str(scope.org_id), str(caller.user_id)]
        if caller.api_key_id is not None:
            parts.append(f"key:{caller.api_key_id}")
        return "/".join(parts)

    @staticmethod
    def fingerprint(method: str, request_bytes: bytes) -> str:
        return hashlib.sha256(method.encode() + b"\0" + request_bytes).hexdigest()

    async def claim(self, key: str, fingerprint: str) -> bytes | None:
        """Claim `key` for this transaction, or return the response a committed one recorded.

        A concurrent transaction holding the same key makes this wait until it commits, so the
        work is never done twice.
        """
        claimed = await self._session.execute(
            insert(idempotency_keys)
            .values(scope=self._scope, key=key, fingerprint=fingerprint)
            .on_conflict_do_nothing()
            .returning(idempotency_keys.c.key)
        )
        if claimed.first() is not None:
            return None
        row = (
            await self._session.execute(
                select(idempotency_keys.c.fingerprint, idempotency_keys.c.response).where(
                    idempotency_keys.c.scope == self._scope, idempotency_keys.c.key == key
                )
            )
        ).one()
        if row.fingerprint != fingerprint:
            raise InvalidArgument(
                "This Idempotency-Key was already used with a different request.",
                reason="IDEMPOTENCY_KEY_REUSED",
                field_errors=[],
            )
        if row.response is None:
            raise Conflict(
                "The first request with this Idempotency-Key did not complete.",
                reason="IDEMPOTENCY_KEY_INCOMPLETE",
            )
        return row.response

    async def record(self, key: str, response: bytes) -> None:
        await self._session.execute(
            update(idempotency_keys)
            .where(idempotency_keys.c.scope == self._scope, idempotency_keys.c.key == key)
            .values(response=response)
        )
