"""The sender of queued Slack messages (the "slack_messages" sweeper): claims due rows of every org
with a lease and commits, THEN posts each with chat.postMessage outside any transaction (a direct
message: users.lookupByEmail first), then records the outcome. Slack down or rate limiting
delays a message (backoff; Slack's Retry-After when it gives one), never loses it; after 3 days
it is given up with its last error. What Slack refuses for good (no such channel or user) is
given up at once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import structlog

from labs_common.db.uow import Scope
from labs_integrations.adapters.platforms import slack_client
from labs_integrations.adapters.slack_repository import QueuedMessage
from labs_integrations.adapters.vault import Vault
from labs_integrations.config import Settings
from labs_integrations.domain import slack
from labs_integrations.domain.connections import Platform
from labs_integrations.service_layer.connections import credentials

log = structlog.get_logger(__name__)

BATCH = 20
LEASE = timedelta(seconds=120)
CONCURRENCY = 4
# Sent messages are kept this long (the dedupe of a redelivered event needs far less), then pruned.
KEEP_SENT = timedelta(days=14)
PRUNE_EVERY = timedelta(hours=1)
# Slack's answers that no retry will change.
PERMANENT = frozenset({"channel_not_found", "is_archived", "users_not_found", "user_not_found",
                       "no_text", "invalid_blocks", "invalid_blocks_format", "msg_too_long",
                       "cannot_dm_bot", "user_disabled"})


class Attempt:
    """What one attempt got: None for posted, else the error and whether to retry (when)."""

    def __init__(self, error: str | None = None, *, permanent: bool = False,
                 retry_after: float | None = None) -> None:
        self.error = error
        self.permanent = permanent
        self.retry_after = retry_after


class SlackSender:
    def __init__(self, uow, settings: Settings, vault: Vault, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 retry_base_seconds: float = slack.RETRY_BASE_SECONDS) -> None:
        self._uow = uow
        self._settings = settings
        self._vault = vault
        self._clock = clock
        self.retry_base_seconds = retry_base_seconds
        self._pruned_at: datetime | None = None

    async def run_once(self) -> int:
        now = self._clock()
        async with self._uow(Scope.of_system()) as uow:
            if self._pruned_at is None or now - self._pruned_at > PRUNE_EVERY:
                await uow.slack_messages.prune(now - KEEP_SENT)
                self._pruned_at = now
            due = await uow.slack_messages.claim_due(now, BATCH, LEASE)
            await uow.commit()
        if not due:
            return 0
        limit = asyncio.Semaphore(CONCURRENCY)

        async def one(message: QueuedMessage) -> None:
            async with limit:
                await self._attempt(message)

        await asyncio.gather(*(one(m) for m in due))
        return len(due)

    async def _attempt(self, message: QueuedMessage) -> None:
        async with self._uow(Scope(org_id=message.org_id)) as uow:
            opened = await credentials(uow, self._vault, Platform.SLACK)
        if opened is None:
            outcome = Attempt("Slack is no longer connected", permanent=True)
        else:
            outcome = await self._post(opened.access_token, message)
        now = self._clock()
        async with self._uow(Scope(org_id=message.org_id)) as uow:
            if outcome.error is None:
                await uow.slack_messages.sent(message.id, now)
            else:
                retry = None if outcome.permanent else slack.next_attempt(
                    message.attempts + 1, now, base=self.retry_base_seconds,
                    retry_after=outcome.retry_after)
                if retry is not None and retry > message.give_up_at:
                    retry = None
                await uow.slack_messages.failed(message.id, outcome.error, retry)
            await uow.commit()
        log.info("slack.message_attempted", message_id=str(message.id),
                 org_id=str(message.org_id), error=outcome.error)

    async def _post(self, token: str, message: QueuedMessage) -> Attempt:
        # slack_sdk on first use: see adapters/platforms.py
        from slack_sdk.errors import SlackApiError

        client = slack_client(self._settings, token)
        try:
            channel = message.channel
            if channel is None:
                found = await client.users_lookupByEmail(email=message.dm_email)
                channel = found["user"]["id"]
            await client.chat_postMessage(channel=channel, text=message.text,
                                          blocks=message.blocks or None)
        except SlackApiError as error:
            code = str(error.response.get("error") or f"HTTP {error.response.status_code}")
            retry_after = None
            if code == "ratelimited" or error.response.status_code == 429:
                try:
                    retry_after = float(error.response.headers.get("Retry-After", "")
                                        or error.response.headers.get("retry-after", ""))
                except (TypeError, ValueError):
                    retry_after = None
            return Attempt(code, permanent=code in PERMANENT, retry_after=retry_after)
        except Exception as error:  # unreachable, timeouts: aiohttp's own errors
            return Attempt(f"Slack cannot be reached: {type(error).__name__}: {error}"[:500])
        return Attempt()
