"""A scratch service database (platform tables + a tenant table) and a JetStream stream."""

from __future__ import annotations

import uuid

import nats
import pytest
from sqlalchemy import text

from labs_common.config import ServiceSettings
from labs_common.db.engine import create_engine, ensure_database, sessionmaker
from labs_common.db.migrations import TENANT_FUNCTION, grant_app_role
from labs_common.db.tables import platform_metadata
from labs_common.events.streams import ensure_stream


@pytest.fixture(scope="session")
async def engine(postgres_url: str):
    settings = ServiceSettings(
        service_name="time",
        database_url=postgres_url,
        database_name=f"labs_common_test_{uuid.uuid4().hex[:8]}",
    )
    await ensure_database(settings.sqlalchemy_url)
    engine = create_engine(settings)
    async with engine.begin() as connection:
        await connection.run_sync(platform_metadata.create_all)
        await connection.execute(text(TENANT_FUNCTION))
        await connection.execute(
            text("CREATE TABLE effects (event_id uuid NOT NULL, org_id uuid NOT NULL)")
        )
        # As a migration leaves them: a service started on this database acts as the app role
        # once the server has one, and another test's migration may have created it.
        await connection.run_sync(grant_app_role)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def sessions(engine):
    return sessionmaker(engine)


@pytest.fixture(scope="session")
async def js(nats_url: str):
    connection = await nats.connect(nats_url)
    js = connection.jetstream()
    await ensure_stream(js, "time")
    yield js
    await connection.close()
