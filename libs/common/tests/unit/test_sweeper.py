"""A Sweeper outlives a PostgreSQL restart: the wrapped driver error is a warning; it goes on."""

from __future__ import annotations

import asyncio

import asyncpg
from sqlalchemy import exc as sa
from structlog.testing import capture_logs

from labs_common.background import Sweeper, start_staggered


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


async def test_staggered_sweepers_take_their_rounds_one_after_another():
    """Four sweepers of one period: their second rounds are a quarter of it apart, not at the
    same instant (each round holds a pooled connection)."""
    every = 0.2
    loop = asyncio.get_running_loop()
    runs: dict[int, list[float]] = {i: [] for i in range(4)}
    second_rounds = asyncio.Event()

    def work_of(index: int):
        async def work() -> int:
            runs[index].append(loop.time())
            if all(len(times) >= 2 for times in runs.values()):
                second_rounds.set()
            return 0
        return work

    sweepers = [Sweeper(f"test.sweep{i}", work_of(i), every) for i in range(4)]
    started = loop.time()
    start_staggered(sweepers)
    try:
        await asyncio.wait_for(second_rounds.wait(), timeout=10)
    finally:
        for sweeper in sweepers:
            await sweeper.close()
    for index, times in runs.items():
        # A timer never fires early: each second round waited at least its share.
        assert times[1] - started >= every * (1 + index / 4) - 0.005
