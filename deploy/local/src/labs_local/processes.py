"""One supervised child process: started, its output streamed, restarted with backoff when it dies,
stopped with SIGTERM and, past a deadline, SIGKILL."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from labs_local import forked
from labs_local.output import Output

# Child log lines can be long (tracebacks are many lines, but one JSON line can be big).
_LINE_LIMIT = 1024 * 1024
# After a child exits, how long its pipe may stay open (a grandchild holding it) before we stop
# reading: the exit is what matters, not the last bytes of a leaked descriptor.
_DRAIN_SECONDS = 1.0


@dataclass(frozen=True)
class RestartPolicy:
    """Delay before restarting a crashed child: initial, doubling up to max; back to initial once a
    child has run reset_after seconds, so one crash after a long healthy run restarts quickly."""

    initial_delay: float = 0.5
    max_delay: float = 10.0
    reset_after: float = 30.0


@dataclass(frozen=True)
class ChildSpec:
    name: str
    argv: tuple[str, ...]
    env: Mapping[str, str]
    cwd: Path | None = None
    # The Python module argv runs (`python -m module`): such a child may instead be forked from
    # the runner's fork server (labs_local.forked), which has its libraries imported already.
    module: str | None = None


@dataclass(frozen=True)
class Crash:
    """An exit nobody asked for. `code` is None when the process could not even be started."""

    code: int | None
    ran_for: float
    restart_delay: float


def describe_exit(code: int | None) -> str:
    if code is None:
        return "could not start"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exited with code {code}"


def die_with_parent_hook():
    """A preexec_fn asking Linux to SIGTERM the child when the runner dies without cleaning up
    (SIGKILL, OOM), so no orphaned service keeps its port; None elsewhere.

    Linux ties this to the *thread* that spawns the child: spawn from the event loop's thread,
    which lives as long as the suite, never from a worker thread (asyncio.to_thread)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved now: nothing to load after fork
    except (OSError, AttributeError):
        return None
    parent = os.getpid()
    pr_set_pdeathsig = 1

    def hook() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)
        if os.getppid() != parent:  # the runner died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return hook


class SupervisedChild:
    def __init__(self, spec: ChildSpec, output: Output, policy: RestartPolicy,
                 fork: bool = False) -> None:
        self.spec = spec
        self.policy = policy
        self.fork = fork and spec.module is not None
        self._output = output
        self.process: asyncio.subprocess.Process | forked.ForkedProcess | None = None
        self.starts = 0
        self.crashes: list[Crash] = []
        self.last_exit_code: int | None = None
        self._stopping = False
        # Set to cut a restart delay short when we are asked to stop.
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    @property
    def finished(self) -> bool:
        return self._task is not None and self._task.done()

    def start(self) -> None:
        if self._task is not None:
            raise RuntimeError(f"{self.name} was already started")
        self._task = asyncio.create_task(self._run(), name=f"supervise-{self.name}")

    async def stop(self, kill_after: float) -> None:
        """SIGTERM, then SIGKILL (to its whole process group) if it is still alive after
        `kill_after` seconds. Returns once the child is gone and no restart is pending."""
        self._stopping = True
        self._wake.set()
        if self._task is None:
            return
        self._signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.shield(self._task), kill_after)
        except TimeoutError:
            self._output.event(self.name, f"still running after {kill_after:g} s: killing",
                               "bold red")
            self._kill_group()
            await self._task

    def _signal(self, signum: int) -> None:
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signum)

    def _kill_group(self) -> None:
        if self.process is None:
            return
        # The child leads its own session, so its group id is its pid; grandchildren go too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        delay = self.policy.initial_delay
        while not self._stopping:
            started = loop.time()
            code = await self._run_once()
            self.last_exit_code = code
            if self._stopping:
                self._output.event(self.name, f"stopped ({describe_exit(code)})", "dim")
                return
            ran_for = loop.time() - started
            if ran_for >= self.policy.reset_after:
                delay = self.policy.initial_delay
            self.crashes.append(Crash(code, ran_for, delay))
            self._output.event(
                self.name,
                f"{describe_exit(code)} after {ran_for:.1f} s; restarting in {delay:g} s",
                "bold red",
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
            delay = min(delay * 2, self.policy.max_delay)

    async def _run_once(self) -> int | None:
        try:
            self.process = await self._spawn()
        except OSError as error:
            self._output.event(self.name, f"could not start {self.spec.argv[0]}: {error}",
                               "bold red")
            return None
        self.starts += 1
        if self._stopping:  # stop() ran while we were spawning and found nothing to signal
            self._signal(signal.SIGTERM)
        self._output.event(self.name, f"started (pid {self.process.pid})", "dim")
        pump = asyncio.create_task(self._pump(self.process.stdout))
        code = await self.process.wait()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(pump, _DRAIN_SECONDS)
        return code

    async def _spawn(self) -> asyncio.subprocess.Process | forked.ForkedProcess:
        spec = self.spec
        if self.fork:
            return await forked.start(spec.module, spec.env, spec.cwd and str(spec.cwd),
                                      spec.name, _LINE_LIMIT)
        return await asyncio.create_subprocess_exec(
            *spec.argv,
            env=dict(spec.env),
            cwd=spec.cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            # Its own session: a terminal's Ctrl-C reaches only the runner, which then stops
            # children in order instead of everything dying at once.
            start_new_session=True,
            preexec_fn=die_with_parent_hook(),
            limit=_LINE_LIMIT,
        )

    async def _pump(self, stream: asyncio.StreamReader) -> None:
        while True:
            try:
                raw = await stream.readline()
            except ValueError:  # longer than _LINE_LIMIT: asyncio has already discarded it
                self._output.event(self.name, "(an over-long output line was dropped)", "dim")
                continue
            if not raw:
                return
            self._output.line(self.name, raw.decode(errors="replace").rstrip("\r\n"))

