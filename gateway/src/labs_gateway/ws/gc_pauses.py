"""The collector's pauses in this process, for benchmarks (bench/ws_fanout.py): debug only.

With `LABS_GC_PAUSES_FILE` set to a path, every collection is timed through `gc.callbacks`
(start → stop, on the monotonic clock, which every process of the machine shares) and, twice a
second while something changed, written to that file as JSON: per generation the count, the total
and the longest pause, and every pause of 0.5 ms or more as `[ended_at, seconds, generation]` (the
last 50,000), so a reader can take the longest pause within its own time window. Unset, nothing
is installed and nothing is timed.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import time
from collections import deque
from pathlib import Path
from typing import Any

LISTED_FROM_SECONDS = 0.0005
WRITE_EVERY_SECONDS = 0.5


class GcPauses:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = [0, 0, 0]
        self.total = [0.0, 0.0, 0.0]
        self.longest = [0.0, 0.0, 0.0]
        self.listed: deque[tuple[float, float, int]] = deque(maxlen=50_000)
        self._started = 0.0
        self._task: asyncio.Task[None] | None = None

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.monotonic()
            return
        ended = time.monotonic()
        seconds = ended - self._started
        generation = info.get("generation", 2)
        self.count[generation] += 1
        self.total[generation] += seconds
        self.longest[generation] = max(self.longest[generation], seconds)
        if seconds >= LISTED_FROM_SECONDS:
            self.listed.append((ended, seconds, generation))

    def install(self) -> None:
        gc.callbacks.append(self._callback)
        self._task = asyncio.get_running_loop().create_task(self._write_while_running())

    async def uninstall(self) -> None:
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._callback)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.write()

    def snapshot(self) -> dict[str, Any]:
        return {"pid": os.getpid(), "written_at": time.monotonic(), "count": self.count,
                "total_seconds": self.total, "longest_seconds": self.longest,
                "gc_threshold": gc.get_threshold(), "frozen": gc.get_freeze_count(),
                "pauses": list(self.listed)}

    def write(self) -> None:
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        temporary.write_text(json.dumps(self.snapshot()))
        temporary.replace(self.path)  # readers never see half a file

    async def _write_while_running(self) -> None:
        written = None
        while True:
            await asyncio.sleep(WRITE_EVERY_SECONDS)
            if written != self.count:
                written = list(self.count)
                with contextlib.suppress(OSError):
                    self.write()


def at(path: str) -> GcPauses | None:
    """Pauses timed into `path` (GatewaySettings.gc_pauses_file); None, nothing timed, for ""."""
    return GcPauses(Path(path)) if path else None
