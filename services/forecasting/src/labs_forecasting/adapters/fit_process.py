"""The statsmodels fits (forecast_models.fit) in a process of their own: started by the first fit,
stopped after IDLE_SECONDS without one, started again by the next.

statsmodels, with the scipy and pandas it loads, is ~170 MiB that a replica at rest does not need,
and a fit in a thread holds the GIL for most of its run, so every gRPC answer of the replica (the
project lists ask it for margins) waited behind it. The worker speaks JSON lines over its stdin and
stdout: a series in, `Fitted.as_json()` (or null, or {"error": ...}) out. It exits when its stdin
closes, so it never outlives the service, however the service ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys

import structlog

from labs_forecasting.adapters import forecast_models as fm

log = structlog.get_logger(__name__)

# Importing statsmodels takes the worker ~5 s of CPU here, so it waits a few minutes for the next
# fit before letting the memory go.
IDLE_SECONDS = 300.0
# A series is a few hundred floats; an answer one small object. Far above both.
LINE_LIMIT = 16 * 1024 * 1024


class FitFailed(Exception):
    """No model: the fit raised in the worker, or the worker died twice under it."""


class _WorkerGone(FitFailed):
    pass


class FitProcess:
    def __init__(self, idle_seconds: float = IDLE_SECONDS) -> None:
        self._idle_seconds = idle_seconds
        self._process: asyncio.subprocess.Process | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None
        self._idle: asyncio.TimerHandle | None = None
        self._stopping: asyncio.Task | None = None

    async def fit(self, series: list[float]) -> fm.Fitted | None:
        """The fitted model, from a worker started if none runs; one retry on a fresh worker
        when the first one dies under it, then FitFailed."""
        async with self._guard():
            try:
                return await self._ask(series)
            except _WorkerGone as error:
                log.warning("forecasting.fit_worker_gone", error=str(error))
                await self._stop()
            try:
                return await self._ask(series)
            except _WorkerGone:
                await self._stop()
                raise

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def close(self) -> None:
        if self._loop is asyncio.get_running_loop():
            await self._stop()

    def _guard(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop (tests): nothing of the old one is usable
            self._forget()
            self._loop, self._lock = loop, asyncio.Lock()
        assert self._lock is not None
        return self._lock

    async def _ask(self, series: list[float]) -> fm.Fitted | None:
        if self._idle is not None:
            self._idle.cancel()
        process = await self._running()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(json.dumps(series).encode() + b"\n")
            await process.stdin.drain()
            line = await process.stdout.readline()
        except (ConnectionError, ValueError) as error:
            raise _WorkerGone(f"the fit worker went away: {error}") from error
        except BaseException:
            # Cut short (cancelled): its answer may still come, and must never be read as the
            # next series' answer. That worker goes; the next fit starts another.
            self._forget()
            raise
        if not line:
            raise _WorkerGone(f"the fit worker exited ({await process.wait()})")
        self._idle = asyncio.get_running_loop().call_later(self._idle_seconds, self._idle_out)
        answer = json.loads(line)
        if isinstance(answer, dict) and "error" in answer:
            raise FitFailed(answer["error"])
        return fm.Fitted.from_json(answer)

    async def _running(self) -> asyncio.subprocess.Process:
        if not self.running:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", __name__,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                limit=LINE_LIMIT,
            )
            log.info("forecasting.fit_worker_started", pid=self._process.pid)
        assert self._process is not None
        return self._process

    def _idle_out(self) -> None:
        self._stopping = asyncio.get_running_loop().create_task(self._stop_when_idle())

    async def _stop_when_idle(self) -> None:
        assert self._lock is not None
        if self._lock.locked():
            return  # a fit is under way: it re-arms the timer when it is done
        async with self._lock:
            await self._stop()

    async def _stop(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        assert process.stdin is not None
        process.stdin.close()  # the worker's loop ends at end of input
        try:
            await asyncio.wait_for(process.wait(), 5.0)
        except TimeoutError:
            process.kill()
            await process.wait()

    def _forget(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
        if self._process is not None and self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._process.pid, signal.SIGKILL)
        self._process, self._idle = None, None


FITS = FitProcess()


def _serve() -> None:
    """The worker: fits until its input ends. Only the answers go to the real stdout; anything a
    library prints goes to stderr, with the service's own output."""
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    for line in sys.stdin:
        try:
            fitted = fm.fit(json.loads(line))
            answer = fitted.as_json() if fitted is not None else None
        except Exception as error:  # one bad series must not end the worker
            answer = {"error": f"{type(error).__name__}: {error}"}
        answers.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    _serve()
