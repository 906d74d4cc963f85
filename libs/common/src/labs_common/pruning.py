"""Forgetting what the platform tables no longer need, so they do not grow forever: published
outbox rows (JetStream has them), inbox ids older than any event a stream still holds, and
idempotency records past the time a key is promised to be remembered.

Each run deletes at most BATCH rows per table, picked with SKIP LOCKED: short transactions that
never wait on each other, so any number of replicas may prune at once. The pruner (a Sweeper,
started once per service) runs again at once while a run found a full batch. Parked outbox rows
(published_at 'infinity', labs_common.events.relay) are kept.
"""

from __future__ import annotations

from datetime import timedelta

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from labs_common.background import Sweeper
from labs_common.config import ServiceSettings

log = structlog.get_logger(__name__)

BATCH = 5000

# table → the column whose age decides; a literal table name, never input.
_AGED = {
    "outbox": "published_at",
    "processed_events": "processed_at",
    "idempotency_keys": "created_at",
}


def retentions(settings: ServiceSettings) -> dict[str, timedelta]:
    return {
        "outbox": timedelta(days=settings.outbox_retention_days),
        "processed_events": timedelta(days=settings.inbox_retention_days),
        "idempotency_keys": timedelta(hours=settings.idempotency_retention_hours),
    }


async def prune_once(engine: AsyncEngine, settings: ServiceSettings) -> int:
    """One batch of each table; answers how many rows went."""
    deleted = 0
    for table, keep in retentions(settings).items():
        column = _AGED[table]
        async with engine.begin() as connection:
            result = await connection.execute(
                text(
                    f"DELETE FROM {table} WHERE ctid IN ("
                    f" SELECT ctid FROM {table} WHERE {column} < now() - CAST(:keep AS interval)"
                    " LIMIT :batch FOR UPDATE SKIP LOCKED)"
                ),
                {"keep": keep, "batch": BATCH},
            )
        if result.rowcount:
            log.info("prune.deleted", table=table, rows=result.rowcount)
        deleted += result.rowcount
    return deleted


def pruner(engine: AsyncEngine, settings: ServiceSettings) -> Sweeper:
    return Sweeper("platform.prune", lambda: prune_once(engine, settings),
                   settings.prune_every_seconds)
