"""Without a pre-ping on every checkout, a pooled connection PostgreSQL dropped (a restart, a
failover, an idle timeout) must still never fail a request: the unit of work's first statement
notices it, and the transaction starts again on a fresh connection."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from labs_common.config import ServiceSettings
from labs_common.db.engine import create_engine, sessionmaker
from labs_common.db.uow import Scope, UnitOfWork


async def test_a_unit_of_work_survives_connections_the_server_dropped(engine, postgres_url):
    # A pool of its own on the same database, so the session's other tests keep theirs.
    settings = ServiceSettings(service_name="time", database_url=postgres_url,
                               database_name=engine.url.database, database_pool_size=3)
    own = create_engine(settings)
    sessions = sessionmaker(own)
    try:
        pids = set()
        for _ in range(3):  # three pooled connections, all idle afterwards
            async with UnitOfWork(sessions, "time", Scope.of_system()) as uow:
                pids.add((await uow.session.execute(text("SELECT pg_backend_pid()"))).scalar())
        async with engine.connect() as admin:  # what a restart does to them
            for pid in pids:
                await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            await admin.commit()

        org = uuid.uuid4()
        async with UnitOfWork(sessions, "time", Scope(org_id=org)) as uow:
            shown = (await uow.session.execute(
                text("SELECT current_setting('labs.org_id'), pg_backend_pid()"))).one()
        assert shown[0] == str(org) and shown[1] not in pids
        # And the pool holds no dropped connection any more.
        for _ in range(3):
            async with UnitOfWork(sessions, "time", Scope.of_system()) as uow:
                await uow.session.execute(text("SELECT 1"))
    finally:
        await own.dispose()
