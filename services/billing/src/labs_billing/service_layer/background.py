"""A loop of one replica's background work: woken at once when there is news, and sweeping now
and then for what another replica left (it died, or its call failed)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger(__name__)


class Sweeper:
    def __init__(self, name: str, work: Callable[[], Awaitable[int]], every_seconds: float
                 ) -> None:
        self._name = name
        self._work = work
        self._every = every_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self._name)

    def wake(self) -> None:
        self._wake.set()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                done = await self._work()
            except Exception:
                log.exception(f"{self._name}.failed")
                done = 0
            if done:
                continue  # there may be more
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._every)
