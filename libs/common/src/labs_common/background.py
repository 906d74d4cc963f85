"""One replica's background work as one asyncio task: started once the service runs, cancelled
when it stops (kept in Runtime.extras, whose `close()`s the runtime awaits on stop)."""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable

import structlog

from labs_common.transient import is_transient

log = structlog.get_logger(__name__)


class BackgroundTask(ABC):
    """Runs `_loop()` (until cancelled) as the task `name` between `start()` and `close()`."""

    name: str
    _task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @abstractmethod
    async def _loop(self) -> None: ...


class Sweeper(BackgroundTask):
    """`work()` again and again: at once while it finds something (it answers how much it did),
    else after `every_seconds` or as soon as `wake()` says there is news. A failing `work()` is
    logged and tried again after `every_seconds` or when woken; an outage (PostgreSQL restarting,
    labs_common.transient) is a warning, not an error with its traceback."""

    def __init__(self, name: str, work: Callable[[], Awaitable[int]], every_seconds: float
                 ) -> None:
        self.name = name
        self._work = work
        self._every = every_seconds
        # The pause after the first run (start_staggered shifts it).
        self.first_pause = every_seconds
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def _loop(self) -> None:
        pause = self.first_pause
        while True:
            self._wake.clear()
            try:
                done = await self._work()
            except Exception as error:  # the loop outlives any failure of one run
                if is_transient(error):
                    log.warning(f"{self.name}.dependency_unavailable", error=repr(error))
                else:
                    log.exception(f"{self.name}.failed")
                done = 0
            if done:
                continue  # there may be more
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), pause)
            pause = self._every


def start_staggered(sweepers: list[Sweeper]) -> None:
    """Starts a replica's sweepers with their rounds spread over the period instead of all at
    the same instant: each round takes a pooled connection, and rounds that coincide keep as many
    connections open (and PostgreSQL backends alive) as there are sweepers."""
    for index, sweeper in enumerate(sweepers):
        sweeper.first_pause = sweeper._every * (1 + index / len(sweepers))
        sweeper.start()
