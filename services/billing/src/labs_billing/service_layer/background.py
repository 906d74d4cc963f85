"""A loop of one replica's background work: woken at once when there is news, and sweeping now
and then for what another replica left (it died, or its call failed)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

from labs_common.background import BackgroundTask

log = structlog.get_logger(__name__)


class Sweeper(BackgroundTask):
    def __init__(self, name: str, work: Callable[[], Awaitable[int]], every_seconds: float
                 ) -> None:
        self.name = name
        self._work = work
        self._every = every_seconds
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                done = await self._work()
            except Exception:
                log.exception(f"{self.name}.failed")
                done = 0
            if done:
                continue  # there may be more
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._every)
