"""The delivery worker of outgoing webhooks (a Sweeper per replica): claims due deliveries of
every organization with a lease in a system scope and commits, THEN posts each one outside any
transaction, then records what it got in a new transaction. A 2xx succeeds; anything else is
retried on the schedule (domain/webhooks.py) until the delivery's give-up time, then fails.

Before every attempt the endpoint's host is checked again (adapters/targets.py): a name that
now points inward is a failed attempt, not a request."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import structlog

from labs_common.db.uow import Scope
from labs_integrations.adapters.targets import TargetGuard
from labs_integrations.adapters.vault import Vault, VaultError
from labs_integrations.adapters.webhook_sender import WebhookSender
from labs_integrations.adapters.webhooks_repository import DueDelivery
from labs_integrations.domain import webhooks
from labs_integrations.domain.webhooks import Outcome
from labs_integrations.service_layer.webhook_endpoints import secret_aad

log = structlog.get_logger(__name__)

# The name of the worker's sweeper in main.py Parts (what the servicer and consumers wake).
WEBHOOKS_SWEEPER = "webhooks"
BATCH = 20
# A claimed delivery is not claimed again for this long (a worker that dies mid-attempt).
LEASE_SECONDS = 120.0
# How many attempts of one batch run at once.
CONCURRENCY = 8
# How long a settled delivery stays in the endpoint's log (and redeliverable).
KEEP_DAYS = 30
PRUNE_BATCH = 1000


class Waker:
    """Wakes the worker now and once more shortly after: work stored by a transaction still
    committing when the first wake runs is picked up by the second."""

    def __init__(self, wake: Callable[[], None] = lambda: None, again_after: float = 0.2
                 ) -> None:
        self.target = wake
        self._again = again_after

    def __call__(self) -> None:
        self.target()
        try:
            asyncio.get_running_loop().call_later(self._again, self.target)
        except RuntimeError:
            pass  # no loop: nothing to wake


class WebhookDeliveryWorker:
    def __init__(self, uow, sender: WebhookSender, vault: Vault, guard: TargetGuard, *,
                 retry_base_seconds: float = webhooks.RETRY_BASE_SECONDS,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._uow = uow
        self._sender = sender
        self._vault = vault
        self._guard = guard
        self.retry_base_seconds = retry_base_seconds
        self._clock = clock

    async def forget_settled(self) -> int:
        """Settled deliveries leave the log after KEEP_DAYS (a pruning sweeper's work)."""
        async with self._uow(Scope.of_system()) as uow:
            gone = await uow.webhook_deliveries.forget_settled(KEEP_DAYS * 86400, PRUNE_BATCH)
            await uow.commit()
        return gone

    async def run_once(self) -> int:
        async with self._uow(Scope.of_system()) as uow:
            due = await uow.webhook_deliveries.claim_due(BATCH, LEASE_SECONDS)
            await uow.commit()
        if not due:
            return 0
        limit = asyncio.Semaphore(CONCURRENCY)

        async def one(item: DueDelivery) -> None:
            async with limit:
                await self._attempt(item)

        await asyncio.gather(*(one(item) for item in due))
        return len(due)

    async def _attempt(self, item: DueDelivery) -> None:
        delivery = item.delivery
        outcome = await self._send(item)
        after = webhooks.after_attempt(delivery, outcome, self._clock(),
                                       base=self.retry_base_seconds)
        async with self._uow(Scope.of_system()) as uow:
            await uow.webhook_deliveries.record(after)
            await uow.commit()
        log.info("webhooks.attempted", delivery_id=str(delivery.id),
                 endpoint_id=str(delivery.endpoint_id), event_id=str(delivery.event_id),
                 status_code=outcome.status_code, outcome=after.status.value,
                 attempts=after.attempts)

    async def _send(self, item: DueDelivery) -> Outcome:
        delivery = item.delivery
        try:
            addresses = await self._guard.check(item.url)
        except Exception as error:  # refused or no longer resolving: no request at all
            return Outcome(None, f"target refused: {getattr(error, 'detail', error)}")
        try:
            secret = self._vault.open(item.sealed_secret,
                                      secret_aad(delivery.org_id, delivery.endpoint_id)).decode()
        except VaultError as error:
            log.error("webhooks.secret_unreadable", endpoint_id=str(delivery.endpoint_id))
            return Outcome(None, f"signing secret unreadable: {error}")
        return await self._sender.send(item.url, delivery, secret, addresses)
