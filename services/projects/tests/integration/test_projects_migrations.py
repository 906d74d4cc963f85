"""The projects service's migrations go down to nothing and back up again on a scratch database."""

from __future__ import annotations

import uuid

import pytest

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
