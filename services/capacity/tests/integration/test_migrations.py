"""Capacity's migrations go down to nothing and back up again on a scratch database."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from labs_capacity.config import Settings
from labs_capacity.main import DEFINITION
from labs_common.db import migrations

pytestmark = pytest.mark.integration


async def tables(settings: Settings) -> set[str]:
    engine = create_async_engine(settings.sqlalchemy_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            )
            return {row[0] for row in rows} - {"alembic_version"}
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade(postgres_url: str):
    settings = Settings(
        database_url=postgres_url, database_name=f"labs_capacity_migrations_{uuid.uuid4().hex[:8]}"
    )
    await migrations.upgrade(settings, DEFINITION.migrations)
    assert {"resources", "resource_rates", "time_off", "holidays", "allocations",
            "over_allocations", "outbox"} <= await tables(settings)
    await migrations.downgrade(settings, DEFINITION.migrations, "base")
    assert await tables(settings) == set()
    await migrations.upgrade(settings, DEFINITION.migrations)
    assert "allocations" in await tables(settings)
