"""Unit of work: one transaction, scoped to one tenant, that commits state, outbox rows,
inbox claims and idempotency records together or not at all."""

from __future__ import annotations

import hashlib
import hmac
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Self

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from labs_common.db.begin import ConnectionLost, begin_with, tenant_settings
from labs_common.db.driver import CLAIM_EVENT, driver_of
from labs_common.db.tables import idempotency_keys
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
        # The first message (BEGIN with the tenant settings) is also the pool's health check: a
        # connection PostgreSQL dropped (a restart, a failover) fails here, before anything was
        # done, and is invalidated; the transaction then starts again, once, on a fresh one.
        settings = tenant_settings(self.scope.org_id, self.scope.system)
        for attempt in (1, 2):
            self.session = self._sessions()
            try:
                await begin_with(await self.session.connection(), settings)
                break
            except (ConnectionLost, DBAPIError) as error:
                await self.session.close()
                invalidated = isinstance(error, ConnectionLost) or error.connection_invalidated
                if attempt == 2 or not invalidated:
                    raise
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
        self.outbox.committed()

    async def rollback(self) -> None:
        await self.session.rollback()


class Inbox:
    """Processed event ids of durable consumers; claiming one twice answers False."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, consumer: str, event_id: uuid.UUID) -> bool:
        driver = await driver_of(self._session)
        return await driver.fetchval(CLAIM_EVENT, consumer, event_id) is not None


class IdempotencyRecords:
    """The first response to an Idempotency-Key, stored in the same transaction as its effect.

    Stored sealed, since responses carry secrets (access and refresh tokens, API-key secrets,
    invitation tokens): the `key` column holds the SHA-256 of the key, `fingerprint` an HMAC of
    the request's fingerprint and `response` the response under AES-GCM, both keyed by HKDF-SHA256
    from the client's key and the caller (the response's key from the request too). A dump of
    the table shows neither the keys nor what they answered; the caller who retries with the
    same key and request derives the same keys and gets the identical answer.

    A sealed answer also opens only for the role its caller had: whatever a handler's own
    checks, a caller whose role changed since never gets the earlier answer replayed."""

    def __init__(self, session: AsyncSession, scope: Scope) -> None:
        self._session = session
        self._scope = self.caller_scope(scope)
        self._role = scope.caller.role.value if scope.caller is not None else ""
        # The fingerprint each key was claimed with in this transaction: record() seals with it.
        self._claimed: dict[str, str] = {}

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
        seal = _Seal(self._scope, key, self._role)
        claimed = await self._session.execute(
            insert(idempotency_keys)
            .values(
                scope=self._scope, key=seal.stored_key, fingerprint=seal.fingerprint(fingerprint)
            )
            .on_conflict_do_nothing()
            .returning(idempotency_keys.c.key)
        )
        if claimed.first() is not None:
            self._claimed[key] = fingerprint
            return None
        row = (
            await self._session.execute(
                select(idempotency_keys.c.fingerprint, idempotency_keys.c.response).where(
                    idempotency_keys.c.scope == self._scope,
                    idempotency_keys.c.key == seal.stored_key,
                )
            )
        ).one()
        if not hmac.compare_digest(row.fingerprint, seal.fingerprint(fingerprint)):
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
        return seal.open(fingerprint, row.response)

    async def record(self, key: str, response: bytes) -> None:
        """Fills the record `claim` made of `key` in this transaction."""
        seal = _Seal(self._scope, key, self._role)
        await self._session.execute(
            update(idempotency_keys)
            .where(
                idempotency_keys.c.scope == self._scope, idempotency_keys.c.key == seal.stored_key
            )
            .values(response=seal.close(self._claimed[key], response))
        )


class _Seal:
    """What one caller's key stores: its digest, its request's HMAC, its response encrypted."""

    _NONCE_BYTES = 12

    def __init__(self, scope: str, key: str, role: str) -> None:
        self._scope = scope.encode()
        self._key = key.encode()
        self._role = role.encode()
        self.stored_key = hashlib.sha256(self._key).hexdigest()

    def _derive(self, purpose: bytes, salt: bytes | None = None) -> bytes:
        return HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=salt,
            info=b"labs idempotency " + purpose + b"\0" + self._scope,
        ).derive(self._key)

    def fingerprint(self, fingerprint: str) -> str:
        mac_key = self._derive(b"fingerprint")
        return hmac.new(mac_key, fingerprint.encode(), hashlib.sha256).hexdigest()

    def _cipher(self, fingerprint: str) -> AESGCM:
        # Keyed by the request too: reading an answer needs everything that asked for it
        # (for a sign-in, the password).
        return AESGCM(self._derive(b"response", salt=fingerprint.encode()))

    def _bound(self) -> bytes:
        # A sealed answer opens only under its own row's scope and key, for the same role.
        return self._scope + b"\0" + self.stored_key.encode() + b"\0" + self._role

    def close(self, fingerprint: str, response: bytes) -> bytes:
        nonce = os.urandom(self._NONCE_BYTES)
        return nonce + self._cipher(fingerprint).encrypt(nonce, response, self._bound())

    def open(self, fingerprint: str, sealed: bytes) -> bytes:
        nonce, ciphertext = sealed[: self._NONCE_BYTES], sealed[self._NONCE_BYTES :]
        try:
            return self._cipher(fingerprint).decrypt(nonce, ciphertext, self._bound())
        except InvalidTag:
            raise Conflict(
                "The first response to this Idempotency-Key was for another role (or was"
                " altered): send the request again with a new key.",
                reason="IDEMPOTENCY_RECORD_UNREADABLE",
            ) from None
