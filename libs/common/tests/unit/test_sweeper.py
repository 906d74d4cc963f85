"""A Sweeper outlives a PostgreSQL restart: the wrapped driver error is a warning; it goes on."""

from __future__ import annotations

import asyncio

import asyncpg
from sqlalchemy import exc as sa
from structlog.testing import capture_logs

from labs_common.background import Sweeper


async def test_a_restarting_database_is_waited_out_and_logged_as_an_outage():
    runs = []
    done = asyncio.Event()

    async def work() -> int:
        runs.append(1)
        if len(runs) <= 2:
            cause = asyncpg.exceptions.AdminShutdownError("terminating connection")
            raise sa.DBAPIError("SELECT 1", {}, cause) from cause
        done.set()
        return 0

    sweeper = Sweeper("test.sweep", work, every_seconds=0.01)
    with capture_logs() as logs:
        sweeper.start()
        try:
            await asyncio.wait_for(done.wait(), timeout=5)
        finally:
            await sweeper.close()
    outages = [entry for entry in logs if entry["event"] == "test.sweep.dependency_unavailable"]
    assert len(outages) == 2
    assert all(entry["log_level"] == "warning" for entry in outages)
    assert not [entry for entry in logs if entry["log_level"] == "error"]
