"""A replica at rest keeps only the connections it still uses: the ones a burst opened are closed
by the server once idle, and the pool never hands out one of them to a request."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import text

from labs_common.config import ServiceSettings
from labs_common.db import engine as engine_module
from labs_common.db.engine import create_engine

IDLE_SECONDS = 1.0


@pytest.fixture
async def idle_engine(engine, postgres_url, monkeypatch):
    monkeypatch.setattr(engine_module, "IDLE_GRACE_SECONDS", 0.5)
    settings = ServiceSettings(service_name="time", database_url=postgres_url,
                               database_name=engine.url.database, database_pool_size=4,
                               database_idle_seconds=IDLE_SECONDS)
    own = create_engine(settings)
    yield own
    await own.dispose()


async def _backend_pid(engine, hold: asyncio.Event | None = None) -> int:
    async with engine.connect() as connection:
        pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        if hold is not None:
            await hold.wait()
        return pid


async def _alive(admin_engine, pids: set[int]) -> set[int]:
    async with admin_engine.connect() as admin:
        rows = await admin.execute(
            text("SELECT pid FROM pg_stat_activity WHERE pid = ANY(:pids)"), {"pids": list(pids)})
        return {row.pid for row in rows}


async def _until(predicate, seconds: float = 15.0):
    deadline = time.monotonic() + seconds
    while True:
        value = await predicate()
        if value is not None:
            return value
        assert time.monotonic() < deadline, "not met within the deadline"
        await asyncio.sleep(0.1)


async def _burst(engine, size: int) -> set[int]:
    """`size` connections in use at once, then all back in the pool: their backends' pids."""
    hold = asyncio.Event()
    burst = [asyncio.create_task(_backend_pid(engine, hold)) for _ in range(size)]
    await _until(lambda: _pool_busy(engine, size))
    hold.set()
    opened = set(await asyncio.gather(*burst))
    assert len(opened) == size
    return opened


async def test_a_burst_s_connections_are_closed_once_idle_and_never_handed_out(engine, idle_engine):
    opened = await _burst(idle_engine, 4)

    async def all_closed():
        return True if not await _alive(engine, opened) else None
    await _until(all_closed)

    # Every pooled connection is now one the server closed: requests still succeed, first try,
    # each on a fresh connection.
    fresh = set(await asyncio.gather(*[_backend_pid(idle_engine) for _ in range(4)]))
    assert fresh.isdisjoint(opened)


async def _pool_busy(engine, count: int):
    return True if engine.sync_engine.pool.checkedout() >= count else None


async def test_a_connection_in_use_stays_open_while_the_idle_ones_go(engine, idle_engine):
    opened = await _burst(idle_engine, 3)

    # One request every 0.2 s for three idle periods: last in, first out, it is always the
    # same connection, and only the other two are closed.
    used = set()
    deadline = time.monotonic() + 3 * IDLE_SECONDS
    while time.monotonic() < deadline:
        used.add(await _backend_pid(idle_engine))
        await asyncio.sleep(0.2)
    assert len(used) == 1 and used <= opened
    assert await _alive(engine, opened) == used
