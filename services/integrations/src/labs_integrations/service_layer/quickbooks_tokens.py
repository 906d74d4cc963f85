"""Access tokens of each org's QuickBooks connection, refreshed by one worker at a time.

Intuit's access tokens last an hour, and each refresh spends the refresh token it used (its
answer carries the next one): two workers refreshing at once would leave one of them, and
perhaps the stored credentials, with a spent token. So a refresh is done under a lease on the
company's row (quickbooks_companies.refresh_holder/refresh_until), taken and given back in
short transactions of their own: no transaction stays open while Intuit is asked, and a worker
that dies mid-refresh holds nobody up for longer than the lease. The others (in this replica
they first queue on an asyncio lock per org) read the stored credentials again until the
holder has stored its new ones, and use those.

A row lock (SELECT ... FOR UPDATE on the connection) would serialize as well, but only by
keeping its transaction, and a pooled connection, open for the whole call to Intuit, and it
would block every other writer of the connection row (settings, reconnecting) meanwhile. A
session advisory lock would need one database connection held across two transactions, which
the unit of work does not offer."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from labs_common.db.uow import Scope
from labs_common.errors import InvalidArgument, Unavailable
from labs_integrations.adapters.quickbooks_api import QuickBooksFailed
from labs_integrations.adapters.vault import Vault
from labs_integrations.domain.connections import Credentials, Platform
from labs_integrations.domain.quickbooks import needs_refresh
from labs_integrations.service_layer import connections
from labs_integrations.service_layer.unit_of_work import UowFactory

log = structlog.get_logger(__name__)

# Longer than a refresh can take (the token call's timeout is 10 s), short enough that a worker
# that died is replaced quickly.
LEASE = timedelta(seconds=30)
# How long a caller waits for another worker's refresh before it gives up (and retries later).
WAIT = timedelta(seconds=45)
POLL_SECONDS = 0.2

Refresh = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class QuickBooksTokens:
    """`refresh(secret)`: Intuit's answer to a refresh (QuickBooksSide.refresh)."""

    def __init__(self, uow: UowFactory, vault: Vault, refresh: Refresh, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 lease: timedelta = LEASE, wait: timedelta = WAIT) -> None:
        self._uow = uow
        self._vault = vault
        self._refresh = refresh
        self._clock = clock
        self._sleep = sleep
        self._lease = lease
        self._wait = wait
        self._locks: dict[uuid.UUID, asyncio.Lock] = {}

    def source(self, credentials: Credentials) -> CompanyTokens:
        """The token source of one push or sync of this connection's company."""
        return CompanyTokens(self, credentials)

    async def _stored(self, org_id: uuid.UUID) -> Credentials:
        async with self._uow(Scope(org_id=org_id)) as uow:
            found = await connections.credentials(uow, self._vault, Platform.QUICKBOOKS)
        if found is None:
            raise QuickBooksFailed("QuickBooks is no longer connected.", auth=True)
        return found

    async def fresh(self, org_id: uuid.UUID, *, stale: str | None = None) -> dict[str, Any]:
        """The stored secret once its access token has more than the margin left and is not
        `stale` (one QuickBooks has just refused): refreshed here if no other worker is at it,
        else as that worker stored it."""
        lock = self._locks.setdefault(org_id, asyncio.Lock())
        async with lock:
            deadline = self._clock() + self._wait
            while True:
                found = await self._stored(org_id)
                secret = found.secret
                if not needs_refresh(secret, self._clock()) and secret.get(
                        "access_token") != stale:
                    return secret
                realm = found.connection.external_account_id
                holder = uuid.uuid4()
                if await self._claim(org_id, realm, holder):
                    return await self._refreshed(found, holder)
                if self._clock() > deadline:
                    raise QuickBooksFailed("Another worker is refreshing the QuickBooks token; "
                                           "trying again later.", transient=True)
                await self._sleep(POLL_SECONDS)

    async def _claim(self, org_id: uuid.UUID, realm: str, holder: uuid.UUID) -> bool:
        now = self._clock()
        async with self._uow(Scope(org_id=org_id)) as uow:
            claimed = await uow.quickbooks_companies.claim_refresh(realm, holder,
                                                                   now + self._lease, now)
            await uow.commit()
        return claimed

    async def _refreshed(self, found: Credentials, holder: uuid.UUID) -> dict[str, Any]:
        connection, used = found.connection, found.secret
        realm = connection.external_account_id
        try:
            fresh = await self._refresh(used)
        except Exception as error:  # cancelled: the lease runs out on its own
            async with self._uow(Scope(org_id=connection.org_id)) as uow:
                await uow.quickbooks_companies.release_refresh(realm, holder)
                await uow.commit()
            if isinstance(error, InvalidArgument):
                raise QuickBooksFailed("Intuit no longer accepts the connection's refresh "
                                       "token; connect QuickBooks again.", auth=True) from error
            if isinstance(error, Unavailable):
                raise QuickBooksFailed(error.detail, transient=True) from error
            raise
        async with self._uow(Scope(org_id=connection.org_id)) as uow:
            current = await uow.connections.of_platform(Platform.QUICKBOOKS, lock=True)
            stored = fresh
            if current is not None and current[0].id == connection.id:
                now_stored = connections.open_secret(self._vault, current[0], current[1])
                if now_stored.get("refresh_token") == used.get("refresh_token"):
                    await uow.connections.replace_credentials(
                        current[0], connections.seal(self._vault, current[0], fresh),
                        self._vault.current_key_id)
                else:
                    stored = now_stored  # connected again meanwhile: those are the ones
            await uow.quickbooks_companies.release_refresh(realm, holder)
            await uow.commit()
        log.info("quickbooks.token_refreshed", org_id=str(connection.org_id), realm_id=realm)
        return stored


class CompanyTokens:
    """A TokenSource (adapters/quickbooks_api.py) for one connection's company: the secret it
    was opened with, until it needs refreshing or QuickBooks refuses it."""

    def __init__(self, keeper: QuickBooksTokens, credentials: Credentials) -> None:
        self._keeper = keeper
        self._org_id = credentials.connection.org_id
        self.realm_id = credentials.connection.external_account_id
        self._secret = credentials.secret

    async def token(self) -> str:
        if needs_refresh(self._secret, self._keeper._clock()):
            self._secret = await self._keeper.fresh(self._org_id)
        return str(self._secret.get("access_token", ""))

    async def refreshed(self, stale: str) -> str:
        self._secret = await self._keeper.fresh(self._org_id, stale=stale)
        return str(self._secret.get("access_token", ""))
