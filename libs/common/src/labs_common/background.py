"""One replica's background work as one asyncio task: started once the service runs, cancelled
when it stops (kept in Runtime.extras, whose `close()`s the runtime awaits on stop)."""

from __future__ import annotations

import asyncio
import contextlib


class BackgroundTask:
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

    async def _loop(self) -> None:
        raise NotImplementedError
