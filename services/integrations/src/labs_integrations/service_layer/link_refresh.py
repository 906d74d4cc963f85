"""Keeping links fresh: each replica's sweeper reads due links' targets again from their
platforms, a page at a time, with the org's connection to each platform, outside any
transaction; every link to a target gets what was read.

A link is due when it is new, `LABS_LINK_REFRESH_SECONDS` after its last read, or at once when a
Figma FILE_UPDATE names its file. A claim leases the links (a replica that dies mid-read leaves
them to another after the lease). A platform that answers 429 has the rest of that org's
targets put after its Retry-After; one that cannot be reached is asked again after a minute,
doubling; a target the connection cannot see, or a token the platform refuses, keeps what it
had and says why in `last_error`, and is asked again at the usual refresh. A link whose org has
no connection to its platform, or whose platform has no resolver, keeps its title empty: nothing
is wrong with it. An OAuth token is renewed before it lapses, and once more when the platform
refuses it (service_layer/oauth_tokens.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import groupby

import structlog

from labs_common.db.uow import Scope
from labs_common.errors import InvalidArgument, LabsError, NotFound
from labs_integrations.adapters.link_repository import DueTarget
from labs_integrations.adapters.link_resolvers import Resolver
from labs_integrations.adapters.rate_limited import Throttled
from labs_integrations.adapters.vault import Vault
from labs_integrations.domain.connections import Credentials, Platform
from labs_integrations.domain.links import TargetFacts, after_failure, after_throttle
from labs_integrations.service_layer.connections import credentials
from labs_integrations.service_layer.oauth_tokens import OAuthTokens
from labs_integrations.service_layer.unit_of_work import UowFactory

log = structlog.get_logger(__name__)

LINK_REFRESH_SWEEPER = "link_refresh"
PAGE = 50
LEASE = timedelta(minutes=5)
MAX_ERROR = 500


def _now() -> datetime:
    return datetime.now(UTC)


class LinkRefresher:
    """`resolvers`: how each platform's targets are read (adapters/link_resolvers.py);
    `clock` is the tests' "now"."""

    def __init__(self, uow: UowFactory, vault: Vault, resolvers: dict[Platform, Resolver],
                 every: timedelta, clock: Callable[[], datetime] = _now,
                 tokens: OAuthTokens | None = None) -> None:
        self._uow = uow
        self._vault = vault
        self._resolvers = resolvers
        self._every = every
        self._clock = clock
        self._tokens = tokens or OAuthTokens(uow, vault, {})

    async def run_once(self) -> int:
        """One page of due targets read; answers how many targets were claimed (the sweeper
        goes on at once while there were some)."""
        async with self._uow(Scope.of_system()) as uow:
            due = await uow.links.claim_due(PAGE, LEASE, frozenset(self._resolvers))
            await uow.commit()
        for (org_id, platform), targets in groupby(due, lambda t: (t.org_id, t.platform)):
            await self._refresh(org_id, platform, list(targets))
        return len(due)

    async def _refresh(self, org_id: uuid.UUID, platform: Platform,
                       targets: list[DueTarget]) -> None:
        async with self._uow(Scope(org_id=org_id)) as uow:
            found = await credentials(uow, self._vault, platform)
        if found is None:
            await self._postpone(org_id, targets, self._clock() + self._every)
            return
        resolver = self._resolvers[platform]
        for index, target in enumerate(targets):
            now = self._clock()
            try:
                found, read = await self._read(found, resolver, target.key)
                facts = read.storable()
            except Throttled as throttled:
                # The platform's limit is the org's token's: none of its other targets now.
                log.info("links.throttled", org_id=str(org_id), platform=platform.value,
                         retry_after=throttled.retry_after)
                await self._postpone(org_id, targets[index:],
                                     after_throttle(now, throttled.retry_after, self._every),
                                     error=str(throttled))
                return
            except (NotFound, InvalidArgument) as refusal:
                # Asking again soon changes nothing: the usual refresh tries again.
                await self._postpone(org_id, [target], now + self._every,
                                     error=_said(refusal))
                if isinstance(refusal, InvalidArgument):  # the token: every target alike
                    await self._postpone(org_id, targets[index + 1:], now + self._every,
                                         error=_said(refusal))
                    return
            except Exception as failure:  # an outage: backoff, and the rest of the page too
                log.warning("links.read_failed", org_id=str(org_id), platform=platform.value,
                            error=f"{type(failure).__name__}: {failure}")
                for rest in targets[index:]:
                    await self._postpone(org_id, [rest], after_failure(
                        now, rest.attempts + 1, self._every), error=_said(failure),
                        failed=True)
                return
            else:
                await self._heard(org_id, target, facts, now + self._every)

    async def _read(self, found: Credentials, resolver: Resolver, key: str
                    ) -> tuple[Credentials, TargetFacts]:
        """The target's facts, read with a token renewed first when it was about to lapse, and
        once more after a refusal of the token when it can be refreshed (Notion names no
        lifetime for its tokens). The credentials answered serve the org's next targets."""
        found = await self._tokens.fresh(found)
        try:
            return found, await resolver.resolve(found.secret, key)
        except InvalidArgument as refusal:
            if not any(e.field == "access_token" for e in refusal.field_errors):
                raise
            renewed = await self._tokens.refreshed(found)
            if renewed is None:
                raise
            return renewed, await resolver.resolve(renewed.secret, key)

    async def _heard(self, org_id: uuid.UUID, target: DueTarget, facts: TargetFacts,
                     next_read: datetime) -> None:
        async with self._uow(Scope(org_id=org_id)) as uow:
            await uow.links.heard(target.platform, target.key, facts, next_read)
            await uow.commit()

    async def _postpone(self, org_id: uuid.UUID, targets: list[DueTarget], next_read: datetime,
                        *, error: str | None = None, failed: bool = False) -> None:
        if not targets:
            return
        async with self._uow(Scope(org_id=org_id)) as uow:
            for target in targets:
                await uow.links.postpone(target.platform, target.key, next_read, error=error,
                                         failed=failed)
            await uow.commit()


def _said(error: BaseException) -> str:
    text = error.detail if isinstance(error, LabsError) else f"{type(error).__name__}: {error}"
    return (text or type(error).__name__)[:MAX_ERROR]
