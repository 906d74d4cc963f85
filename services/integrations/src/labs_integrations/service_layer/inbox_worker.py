"""The apply worker every platform's webhook inbox shares (GitHub's, Linear's): due deliveries
are claimed with a lease in a short transaction of their own, applied outside it, and each is
then marked applied (with what went wrong for good, if anything) or due again with backoff. An
outage is asked again up to MAX_ATTEMPTS times; a refusal (a LabsError such as NotFound) or a
payload that is not what the platform sends is final. Applied deliveries are pruned after a
week, in batches."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from labs_common.db.uow import Scope
from labs_common.errors import DeadlineExceeded, LabsError, ResourceExhausted, Unavailable
from labs_common.retries import doubling
from labs_common.transient import is_transient
from labs_integrations.service_layer.unit_of_work import UowFactory

log = structlog.get_logger(__name__)

BATCH = 20
LEASE = timedelta(minutes=2)
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)
MAX_ATTEMPTS = 12
TRANSIENT = (Unavailable, DeadlineExceeded, ResourceExhausted)
# Applied deliveries (their full payloads) are kept this long, then pruned in batches.
KEEP_APPLIED = timedelta(days=7)
PRUNE_BATCH = 1000

# Applies one claimed delivery (its row as a dict); answers the failures that are final.
Apply = Callable[[dict[str, Any]], Awaitable[list[str]]]


class RetryLater(Exception):
    """A delivery to apply again for the orgs not done yet; `errors`: every org's failure of
    this attempt (the permanent ones included, which are not retried)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))


def transient(error: BaseException) -> bool:
    """Worth asking again: an outage (ours, a service's, the platform's), or something
    unexpected (asked again up to MAX_ATTEMPTS); not a refusal (a LabsError such as NotFound)
    nor a payload that is not what the platform sends."""
    if isinstance(error, LabsError):
        return isinstance(error, TRANSIENT)
    if isinstance(error, (KeyError, TypeError, ValueError)):
        return is_transient(error)
    return True


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=doubling(attempts, RETRY_BASE.total_seconds(),
                                      RETRY_CAP.total_seconds()))


async def apply_due(uow: UowFactory, inbox: str, apply: Apply, *, platform: str) -> int:
    """One batch of the due deliveries of the repository `inbox` (a name in the unit of work),
    applied by `apply`; answers how many were claimed."""
    async with uow(Scope.of_system()) as claiming:
        due = await getattr(claiming, inbox).claim_due(BATCH, LEASE)
        await claiming.commit()
    for delivery in due:
        error: str | None = None
        retry_at: datetime | None = None
        try:
            error = "; ".join(await apply(delivery))[:2000] or None
        except Exception as failure:  # every failure is recorded
            error = f"{type(failure).__name__}: {failure}"[:2000]
            if transient(failure) and delivery["attempts"] < MAX_ATTEMPTS:
                retry_at = datetime.now(UTC) + retry_delay(delivery["attempts"])
            log.warning(f"{platform}.delivery_failed", delivery_id=delivery["delivery_id"],
                        error=error, retry=retry_at is not None)
        async with uow(Scope.of_system()) as recording:
            deliveries = getattr(recording, inbox)
            if retry_at is not None:
                await deliveries.retry(delivery["delivery_id"], error or "", retry_at)
            else:
                await deliveries.applied(delivery["delivery_id"], error)
            await recording.commit()
    return len(due)


async def prune(uow: UowFactory, inbox: str, *, platform: str) -> int:
    """One batch of applied deliveries older than KEEP_APPLIED, gone (the sweeper runs it again
    at once while a batch was full)."""
    async with uow(Scope.of_system()) as pruning:
        deleted = await getattr(pruning, inbox).prune_applied(KEEP_APPLIED, PRUNE_BATCH)
        await pruning.commit()
    if deleted:
        log.info(f"{platform}.deliveries_pruned", rows=deleted)
    return deleted if deleted >= PRUNE_BATCH else 0
