"""Capacity's migrations go down to nothing and back up again on a scratch database."""

from __future__ import annotations

import uuid

import pytest

from labs_capacity.config import Settings
from labs_capacity.main import DEFINITION
from labs_common.db import migrations
from labs_common.testing.databases import public_tables

pytestmark = pytest.mark.integration


async def test_upgrade_downgrade_upgrade(postgres_url: str):
    settings = Settings(
        database_url=postgres_url, database_name=f"labs_capacity_migrations_{uuid.uuid4().hex[:8]}"
    )
    await migrations.upgrade(settings, DEFINITION.migrations)
    tables = await public_tables(settings.sqlalchemy_url)
    assert {"resources", "resource_rates", "time_off", "holidays", "allocations",
            "over_allocations", "project_states", "outbox"} <= tables
    await migrations.downgrade(settings, DEFINITION.migrations, "base")
    assert await public_tables(settings.sqlalchemy_url) == set()
    await migrations.upgrade(settings, DEFINITION.migrations)
    assert "allocations" in await public_tables(settings.sqlalchemy_url)
