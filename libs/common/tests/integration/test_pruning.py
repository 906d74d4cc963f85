"""The platform tables forget what is past its retention, in small batches, and nothing else."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from labs_common import pruning
from labs_common.config import ServiceSettings

pytestmark = pytest.mark.integration

SETTINGS = ServiceSettings(service_name="time")


async def seed(engine) -> dict[str, uuid.UUID]:
    """One row per case; `old_*` past their retention (7 days, 45 days, 48 hours by default)."""
    ids = {
        name: uuid.uuid4()
        for name in (
            "old_published",
            "fresh_published",
            "old_unpublished",
            "parked",
            "old_processed",
            "fresh_processed",
            "old_key",
            "fresh_key",
        )
    }
    async with engine.begin() as connection:
        for name, published in [
            ("old_published", "now() - interval '8 days'"),
            ("fresh_published", "now() - interval '6 days'"),
            ("old_unpublished", "NULL"),
            ("parked", "'infinity'"),
        ]:
            await connection.execute(
                text(
                    "INSERT INTO outbox (id, subject, type, envelope, created_at, published_at)"
                    f" VALUES (:id, 's', 't', '\\x00', now() - interval '30 days', {published})"
                ),
                {"id": ids[name]},
            )
        for name, age in [
            ("old_processed", timedelta(days=46)),
            ("fresh_processed", timedelta(days=44)),
        ]:
            await connection.execute(
                text(
                    "INSERT INTO processed_events"
                    " VALUES ('pruning-test', :id, now() - CAST(:age AS interval))"
                ),
                {"id": ids[name], "age": age},
            )
        for name, age in [("old_key", timedelta(hours=49)), ("fresh_key", timedelta(hours=25))]:
            await connection.execute(
                text(
                    "INSERT INTO idempotency_keys (scope, key, fingerprint, created_at)"
                    " VALUES ('pruning-test', :key, 'f', now() - CAST(:age AS interval))"
                ),
                {"key": str(ids[name]), "age": age},
            )
    return ids


QUERIES = {
    "outbox": "SELECT 1 FROM outbox WHERE id = :id",
    "processed_events": "SELECT 1 FROM processed_events WHERE event_id = :id",
    "idempotency_keys": "SELECT 1 FROM idempotency_keys WHERE key = :id",
}


def table_of(name: str) -> str:
    if name.endswith("processed"):
        return "processed_events"
    return "idempotency_keys" if name.endswith("key") else "outbox"


async def remaining(engine, ids) -> set[str]:
    found = set()
    async with engine.connect() as connection:
        for name, row_id in ids.items():
            table = table_of(name)
            key = str(row_id) if table == "idempotency_keys" else row_id
            if (await connection.execute(text(QUERIES[table]), {"id": key})).first():
                found.add(name)
    return found


async def test_rows_past_their_retention_go_and_the_others_stay(engine):
    ids = await seed(engine)
    while await pruning.prune_once(engine, SETTINGS):
        pass
    assert await remaining(engine, ids) == {
        "fresh_published",
        "old_unpublished",
        "parked",
        "fresh_processed",
        "fresh_key",
    }


async def test_a_run_deletes_at_most_a_batch_per_table(engine, monkeypatch):
    for _ in range(3):
        await seed(engine)
    monkeypatch.setattr(pruning, "BATCH", 2)
    assert await pruning.prune_once(engine, SETTINGS) == 2 * 3  # two of each table's three
    assert await pruning.prune_once(engine, SETTINGS) == 3
    assert await pruning.prune_once(engine, SETTINGS) == 0
