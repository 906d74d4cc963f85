"""What every benchmark shares: result rows, percentiles, the baseline app as a process, the
suite configured for benchmarking, and signing up a user."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
import psutil
from rich.console import Console

from labs_local import Suite, free_port, free_port_base

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
PASSWORD = "correct horse battery"


@dataclass
class Row:
    """One number of Labs next to its baseline. `ratio` is always labs / baseline; `better` says
    which direction is good, so 0.1 reads "a tenth of the baseline's throughput" for req/s and
    "ten times faster" would never happen for a latency."""

    metric: str
    labs: float | None
    baseline: float | None
    unit: str
    better: Literal["lower", "higher"] = "lower"

    @property
    def ratio(self) -> float | None:
        if self.labs is None or not self.baseline:
            return None
        return self.labs / self.baseline

    def as_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "labs": self.labs, "baseline": self.baseline,
                "unit": self.unit, "ratio": self.ratio, "better": self.better}


@dataclass
class BenchResult:
    name: str
    title: str
    baseline: str
    status: Literal["ok", "skipped", "failed"] = "ok"
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "baseline": self.baseline,
                "status": self.status, "seconds": round(self.seconds, 2),
                "rows": [r.as_dict() for r in self.rows], "notes": self.notes,
                "details": self.details}


def percentile(values: list[float], pct: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default), without numpy."""
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# --- the suite, configured the same way for every benchmark -----------------------------------

# The rate limiter stays on (its cost is part of the gateway) but high enough never to answer 429.
# WARNING, not INFO: under `make up` every child log line is re-printed by the runner, which here
# is the bench process itself; at INFO the gateway's one access-log line per request would make
# the bench measure that pipe and rich formatting on the same two cores.
SUITE_ENV = {"LABS_RATE_LIMIT": "1000000000/minute", "LABS_LOG_LEVEL": "WARNING"}


class StampedLog:
    """A file for the suite's rich console that also remembers when each line was written, so
    cold start can be split into phases from the runner's own messages."""

    def __init__(self, path: Path) -> None:
        self._file = open(path, "a", encoding="utf-8")  # closed by close()
        self.lines: list[tuple[float, str]] = []

    def write(self, text: str) -> int:
        now = time.perf_counter()
        self.lines.extend((now, line) for line in text.splitlines() if line.strip())
        return self._file.write(text)

    def flush(self) -> None:
        self._file.flush()

    def isatty(self) -> bool:
        return False

    def first(self, needle: str, after: float = 0.0) -> float | None:
        return next((t for t, line in self.lines if t >= after and needle in line), None)

    def close(self) -> None:
        self._file.close()


def make_suite(data_dir: Path, log: StampedLog) -> Suite:
    """Embedded PostgreSQL + NATS under data_dir, every service and the gateway, on free ports."""
    return Suite(
        data_dir=data_dir,
        port_base=free_port_base(),
        gateway_port=free_port(),
        log_format="json",
        shutdown_grace_seconds=1.0,
        startup_timeout=120.0,
        extra_env=SUITE_ENV,
        console=Console(file=log, width=200, color_system=None),
    )


def suite_processes(suite: Suite) -> list[tuple[str, psutil.Process]]:
    """(group, process) for everything the suite runs: each service and the gateway with any
    children, NATS, and PostgreSQL's postmaster with all its workers."""
    found: list[tuple[str, psutil.Process]] = []
    for name, child in suite.supervisor.children.items():
        if child.pid is not None:
            with contextlib.suppress(psutil.NoSuchProcess):
                process = psutil.Process(child.pid)
                found += [(name, p) for p in (process, *process.children(recursive=True))]
    runner = psutil.Process().children()
    # NATS is a direct child of this process (labs_local.engines spawns it).
    found += [("nats", p) for p in runner if "nats-server" in p.name()]
    # So are the fork server the Python children are forked from (labs_local.forked) and
    # multiprocessing's resource tracker beside it.
    found += [("fork server", p) for p in runner if _is_fork_server(p)]
    # pg_ctl daemonizes PostgreSQL, so it is nobody's child here: its pid file names the
    # postmaster, whose children are the workers and one backend per pooled connection.
    postmaster = suite.data_dir / "postgres" / "postmaster.pid" if suite.data_dir else None
    if postmaster and postmaster.exists():
        with contextlib.suppress(psutil.NoSuchProcess, ValueError):
            process = psutil.Process(int(postmaster.read_text().split()[0]))
            found += [("postgres", p) for p in (process, *process.children(recursive=True))]
    return found


def _is_fork_server(process: psutil.Process) -> bool:
    with contextlib.suppress(psutil.Error):
        return any("multiprocessing." in part for part in process.cmdline())
    return False


Processes = Callable[[], list[tuple[str, psutil.Process]]]
ELSEWHERE = "elsewhere"


def _machine_busy_seconds() -> float:
    t = psutil.cpu_times()
    # Busy = everything but idle and I/O wait; steal is the hypervisor's, not this machine's.
    return t.user + t.nice + t.system + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0)


def _reaped_children_seconds() -> float:
    # wrk and locust exit before stop(): their CPU shows up here once they have been waited for.
    times = os.times()
    return times.children_user + times.children_system


class CpuMeter:
    """Where the machine's CPU went between start() and stop(), in CPU seconds by group: each
    watched process group (the suite's children, or the baseline app), this bench process (the
    runner and the WebSocket client), children of this process that exited meanwhile (the load
    generator: wrk or locust; or initdb and pg_ctl during a start), and `elsewhere`: the rest of
    the machine's busy time, i.e. other people's work on a shared machine. It says which process
    a load run saturated, and how fair the comparison was: much more `elsewhere` in one run than
    in its baseline's makes that ratio suspect."""

    def __init__(self, processes: Processes, exited_children: str = "load generator") -> None:
        self._processes = lambda: [*processes(), ("bench", psutil.Process())]
        # What this process's children that exit meanwhile are: wrk/locust, or initdb/pg_ctl.
        self._exited_children = exited_children
        self._before: dict[int, float] = {}
        self._machine = self._reaped = self._started = 0.0
        self.elapsed = 0.0

    @classmethod
    def for_suite(cls, suite: Suite, exited_children: str = "load generator") -> CpuMeter:
        return cls(lambda: suite_processes(suite), exited_children)

    @classmethod
    def for_baseline(cls, pid: int, suite: Suite) -> CpuMeter:
        """The baseline app, and the suite idling beside it (so that is not `elsewhere`)."""
        return cls(lambda: [("baseline app", psutil.Process(pid)),
                            *(("labs suite (idle)", p) for _, p in suite_processes(suite))])

    @staticmethod
    def _seconds(process: psutil.Process) -> float:
        times = process.cpu_times()
        return times.user + times.system

    def start(self) -> None:
        self._before = {}
        for _, process in self._processes():
            with contextlib.suppress(psutil.NoSuchProcess):
                self._before[process.pid] = self._seconds(process)
        self._machine, self._reaped = _machine_busy_seconds(), _reaped_children_seconds()
        self._started = time.perf_counter()

    def stop(self) -> dict[str, float]:
        """CPU seconds by group, busiest first. Processes born meanwhile (new PostgreSQL
        backends) count from zero; those that died meanwhile end up in `elsewhere`."""
        self.elapsed = time.perf_counter() - self._started
        used: dict[str, float] = {}
        for group, process in self._processes():
            with contextlib.suppress(psutil.NoSuchProcess):
                spent = self._seconds(process) - self._before.get(process.pid, 0.0)
                used[group] = used.get(group, 0.0) + spent
        used[self._exited_children] = _reaped_children_seconds() - self._reaped
        machine = _machine_busy_seconds() - self._machine
        used[ELSEWHERE] = max(0.0, machine - sum(used.values()))
        return {g: round(v, 2) for g, v in sorted(used.items(), key=lambda kv: -kv[1])}


async def settle(suite: Suite, *, below: float = 0.15, window: float = 0.5, quiet_windows: int = 2,
                 deadline: float = 60.0) -> tuple[float, bool]:
    """Wait until the suite is idle: its processes together under `below` of one core for
    `quiet_windows` windows in a row. A benchmark's writes leave work behind (events consumed,
    margins and forecasts refreshed, webhooks fanned out for seconds afterwards), which would
    otherwise land in the next benchmark's latencies. The seconds waited, and whether it got
    quiet before the deadline."""
    started, quiet = time.perf_counter(), 0
    while time.perf_counter() - started < deadline:
        meter = CpuMeter.for_suite(suite)
        meter.start()
        await asyncio.sleep(window)
        used = meter.stop()
        suite_share = sum(v for g, v in used.items() if g not in (ELSEWHERE, "bench",
                                                                  "load generator"))
        quiet = quiet + 1 if suite_share / meter.elapsed < below else 0
        if quiet >= quiet_windows:
            return time.perf_counter() - started, True
    return time.perf_counter() - started, False


def cpu_note(label: str, used: dict[str, float], seconds: float, top: int = 4) -> str:
    """One line: the busiest groups, and always `elsewhere`, in % of one core."""
    shown = [*[g for g in used if g != ELSEWHERE][:top], ELSEWHERE]
    parts = ", ".join(f"{g} {used.get(g, 0.0) / seconds:.0%}" for g in shown)
    return f"CPU, {label} (100% = one core; {os.cpu_count()} in all): {parts}"


# --- the baseline app as a child process ------------------------------------------------------


@dataclass
class BareApp:
    url: str
    process: asyncio.subprocess.Process
    # From spawning the interpreter to the first 200 of /api/v1/health.
    startup_seconds: float


@contextlib.asynccontextmanager
async def bare_app(timeout: float = 30.0) -> AsyncIterator[BareApp]:
    """bench/baseline_app.py under uvicorn on a free port; always stopped on exit."""
    port = free_port()
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.baseline_app", "--port", str(port),
        cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        startup = await _first_200(f"{url}/api/v1/health", process, started, timeout)
        yield BareApp(url, process, startup)
    finally:
        await _stop_child(process)


async def _first_200(url: str, process: asyncio.subprocess.Process, started: float,
                     timeout: float) -> float:
    async with httpx.AsyncClient(timeout=1.0) as client:
        while True:
            if process.returncode is not None:
                raise RuntimeError(f"baseline app exited with {process.returncode} "
                                   "(run `python -m bench.baseline_app --port 8123` to see why)")
            with contextlib.suppress(httpx.TransportError):
                if (await client.get(url)).status_code == 200:
                    return time.perf_counter() - started
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"baseline app did not answer 200 within {timeout:g} s")
            # Short: the poll interval bounds the resolution of the start-up time.
            await asyncio.sleep(0.01)


async def _stop_child(process: asyncio.subprocess.Process, grace: float = 5.0) -> None:
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        await asyncio.wait_for(process.wait(), grace)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()


def stop_process(process: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM, then SIGKILL to its process group (it leads its own session)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# --- clients ----------------------------------------------------------------------------------


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def sign_up(http: httpx.AsyncClient, org: str = "Bench Studio") -> dict:
    """A fresh owner of a fresh organization (so earlier benchmarks' rows don't change the
    size of what a later one reads)."""
    response = await http.post("/auth/signup", json={
        "email": f"bench-{uuid.uuid4().hex[:10]}@example.com", "password": PASSWORD,
        "organization_name": org, "first_name": "Bench", "last_name": "Owner",
    })
    response.raise_for_status()
    return response.json()


async def join_as(http: httpx.AsyncClient, owner: dict, role: str) -> dict:
    invited = await http.post(
        "/organizations/current/invitations", headers=auth(owner["access_token"]),
        json={"email": f"{role}-{uuid.uuid4().hex[:10]}@example.com", "role": role},
    )
    invited.raise_for_status()
    joined = await http.post("/auth/accept-invitation",
                             json={"token": invited.json()["token"], "password": PASSWORD})
    joined.raise_for_status()
    return joined.json()
