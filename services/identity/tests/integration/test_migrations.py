"""Identity's migrations go down to nothing and back up again on a scratch database."""

from __future__ import annotations

import uuid

import pytest

from labs_common.db import migrations
from labs_common.testing.databases import public_tables
from labs_identity.config import Settings
from labs_identity.main import DEFINITION

pytestmark = pytest.mark.integration


async def test_upgrade_downgrade_upgrade(postgres_url: str):
    settings = Settings(
        database_url=postgres_url, database_name=f"labs_identity_migrations_{uuid.uuid4().hex[:8]}"
    )
    await migrations.upgrade(settings, DEFINITION.migrations)
    expected = {"users", "organizations", "api_keys", "outbox", "idempotency_keys"}
    assert expected <= await public_tables(settings.sqlalchemy_url)
    await migrations.downgrade(settings, DEFINITION.migrations, "base")
    assert await public_tables(settings.sqlalchemy_url) == set()
    await migrations.upgrade(settings, DEFINITION.migrations)
    assert "refresh_tokens" in await public_tables(settings.sqlalchemy_url)
