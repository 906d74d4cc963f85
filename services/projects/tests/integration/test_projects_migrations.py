"""The projects service's migrations go down to nothing and back up again on a scratch database."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from labs_common.db import migrations
from labs_common.testing.databases import public_tables
from labs_projects.config import Settings
from labs_projects.main import DEFINITION

pytestmark = pytest.mark.integration

TABLES = {"clients", "projects", "tasks", "sprints", "activities", "comments", "files"}


async def test_upgrade_downgrade_upgrade(postgres_url: str):
    settings = Settings(
        database_url=postgres_url,
        database_name=f"labs_projects_migrations_{uuid.uuid4().hex[:8]}",
    )
    await migrations.upgrade(settings, DEFINITION.migrations)
    assert TABLES | {"outbox", "idempotency_keys"} <= await public_tables(settings.sqlalchemy_url)
    await migrations.downgrade(settings, DEFINITION.migrations, "base")
    assert await public_tables(settings.sqlalchemy_url) == set()
    await migrations.upgrade(settings, DEFINITION.migrations)
    assert TABLES <= await public_tables(settings.sqlalchemy_url)


async def test_feed_entries_recorded_before_0007_get_their_readers(postgres_url: str):
    """Rows from before payloads kept their type get readers from the same declarations."""
    settings = Settings(
        database_url=postgres_url,
        database_name=f"labs_projects_backfill_{uuid.uuid4().hex[:8]}",
    )
    await migrations.upgrade(settings, DEFINITION.migrations, "0006")
    org, member = uuid.uuid4(), uuid.uuid4()
    legacy = {
        ("time", "entry.created"): {"user_id": str(member), "cost_rate": "80"},
        ("time", "entry.imported"): {},
        ("capacity", "resource.created"): {},
        ("projects", "client.created"): {},
        ("projects", "task.created"): {},
        ("identity", "member.joined"): {},
        ("identity", "member.logged_in"): {},
        ("identity", "invitation.created"): {},
    }
    engine = create_async_engine(settings.sqlalchemy_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("SET LOCAL labs.scope = 'system'"))
            for (source, action), metadata in legacy.items():
                await connection.execute(text(
                    "INSERT INTO activities (id, org_id, source, action, entity_type, metadata,"
                    " created_at) VALUES (:id, :org, :source, :action, 'x', CAST(:m AS jsonb),"
                    " now())"), {"id": uuid.uuid4(), "org": org, "source": source,
                                 "action": action, "m": json.dumps(metadata)})
        await migrations.upgrade(settings, DEFINITION.migrations)
        async with engine.begin() as connection:
            await connection.execute(text("SET LOCAL labs.scope = 'system'"))
            rows = (await connection.execute(text(
                "SELECT source, action, readers, owner_id FROM activities"))).all()
    finally:
        await engine.dispose()
    found = {(r.source, r.action): (r.readers, r.owner_id) for r in rows}
    assert found == {
        ("time", "entry.created"): (2, member),
        ("time", "entry.imported"): (3, None),
        ("capacity", "resource.created"): (1, None),
        ("projects", "client.created"): (1, None),
        ("projects", "task.created"): (0, None),
        ("identity", "member.joined"): (1, None),
        ("identity", "member.logged_in"): (4, None),
        ("identity", "invitation.created"): (3, None),
    }
