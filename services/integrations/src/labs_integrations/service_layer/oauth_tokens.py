"""Fresh OAuth access tokens for every part of the service that calls a platform with a
connection's secret (the sync worker before a sync or an import, the link refresher, Figma's
webhook keeper): one mechanism for Harvest, Jira, Asana, Figma and Notion. QuickBooks has its
own keeper (service_layer/quickbooks_tokens.py: a lease per company, as Intuit's limits ask).

A token is renewed before use when it has less than its platform's margin left (`fresh`), and
after the platform refused it (`refreshed`): Notion names no lifetime for its tokens, and a
clock may be off. The new secret is stored before it is used, sealed like the one it replaces.

One refresh at a time per connection in this replica (an asyncio lock), the stored credentials
read again under it, so whoever waited uses what the first one stored. Jira's and Notion's
refresh tokens rotate (each refresh spends the one it used): if another replica spent it first,
the platform refuses ours, and the stored credentials, which then hold another refresh token,
are the answer. New credentials are written under the connection's row lock, and only over the
ones that were refreshed: a reconnect meanwhile wins. No transaction is open while the platform
is asked."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import structlog

from labs_common.db.uow import Scope
from labs_common.errors import InvalidArgument
from labs_integrations.adapters.vault import Vault
from labs_integrations.domain.connections import Credentials, Platform, lapses, refreshable
from labs_integrations.service_layer import connections
from labs_integrations.service_layer.unit_of_work import UowFactory

log = structlog.get_logger(__name__)

# Refreshed this long before the expiry: more than a page of an import or a link read takes.
DEFAULT_MARGIN = timedelta(minutes=10)


class Refreshing(Protocol):
    async def refresh(self, secret: dict[str, Any]) -> dict[str, Any]:
        """`secret` with new tokens; InvalidArgument on `refresh_token` when refused."""
        ...


class OAuthTokens:
    """`sides`: the platforms whose tokens are kept fresh here, by their side's `refresh`;
    `margins`: how long before its expiry a platform's token is renewed (else the default)."""

    def __init__(self, uow: UowFactory, vault: Vault, sides: Mapping[Platform, Refreshing], *,
                 margins: Mapping[Platform, timedelta] | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._uow = uow
        self._vault = vault
        self._sides = dict(sides)
        self._margins = dict(margins or {})
        self._clock = clock
        self._locks: dict[uuid.UUID, asyncio.Lock] = {}

    def _lapses(self, credentials: Credentials) -> bool:
        if not refreshable(credentials.secret):
            return False  # a personal token: nothing to renew, whatever the platform
        platform = credentials.connection.platform
        return platform in self._sides and lapses(
            credentials.secret, self._clock(), self._margins.get(platform, DEFAULT_MARGIN))

    async def fresh(self, credentials: Credentials) -> Credentials:
        """`credentials`, or new ones when its access token is about to lapse."""
        if not self._lapses(credentials):
            return credentials
        return await self._renew(credentials, self._lapses)

    async def refreshed(self, credentials: Credentials) -> Credentials | None:
        """New credentials after the platform refused these ones' access token; None when
        they cannot be refreshed (a personal token: the refusal stands)."""
        if credentials.connection.platform not in self._sides or \
                not refreshable(credentials.secret):
            return None
        stale = credentials.access_token
        return await self._renew(credentials, lambda stored: stored.access_token == stale)

    async def _stored(self, credentials: Credentials) -> Credentials | None:
        connection = credentials.connection
        async with self._uow(Scope(org_id=connection.org_id)) as uow:
            found = await connections.credentials(uow, self._vault, connection.platform)
        return found if found is not None and found.connection.id == connection.id else None

    async def _renew(self, credentials: Credentials,
                     still_due: Callable[[Credentials], bool]) -> Credentials:
        lock = self._locks.setdefault(credentials.connection.id, asyncio.Lock())
        async with lock:
            stored = await self._stored(credentials)
            if stored is None:
                return credentials  # deleted meanwhile: its caller's call fails on its own
            if not still_due(stored):
                return stored  # renewed while this one waited
            used = stored.secret
            try:
                fresh = await self._sides[stored.connection.platform].refresh(used)
            except InvalidArgument:
                again = await self._stored(stored)
                if again is not None and again.secret.get("refresh_token") != \
                        used.get("refresh_token"):
                    return again  # another replica spent the refresh token, and stored these
                raise
            return await self._store(stored, fresh)

    async def _store(self, refreshed: Credentials, fresh: dict[str, Any]) -> Credentials:
        connection, used = refreshed.connection, refreshed.secret
        async with self._uow(Scope(org_id=connection.org_id)) as uow:
            current = await uow.connections.of_platform(connection.platform, lock=True)
            if current is None or current[0].id != connection.id:
                return Credentials(connection, fresh)  # deleted meanwhile: nothing to keep
            now_stored = connections.open_secret(self._vault, current[0], current[1])
            if now_stored != used:
                return Credentials(current[0], now_stored)  # connected again meanwhile
            await uow.connections.replace_credentials(
                current[0], connections.seal(self._vault, current[0], fresh),
                self._vault.current_key_id)
            await uow.commit()
        log.info("integrations.token_refreshed", connection_id=str(connection.id),
                 platform=connection.platform.value)
        return Credentials(current[0], fresh)
