"""5. Cold start to healthy: Suite.start() on a fresh data directory (initdb, new JetStream store,
every database created and migrated) and again on the same directory (a warm restart), against the
time the bare FastAPI app takes from spawn to its first 200.

The warm suite is left running and handed back: the other benchmarks use it, so the whole run
starts the platform twice, not once per benchmark.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bench.harness import BenchResult, CpuMeter, Row, StampedLog, bare_app, cpu_note, make_suite
from labs_local import Suite

TITLE = "Cold start to healthy"
BASELINE = "bare FastAPI app: spawn → first 200 (median of 3)"


def _phases(log: StampedLog, started: float, healthy: float) -> dict[str, float]:
    """Where the time went, from the runner's own messages (see labs_local.suite._start)."""
    marks = {
        "postgres": log.first("starting NATS", started),
        # Every service and the gateway start at once once NATS answers, forked as soon as the
        # fork server has its imports (labs_local.forked): the gateway is the last one forked.
        "nats_and_forks": log.first("gateway │ started", started),
        "services_and_gateway_healthy": healthy,
    }
    phases, previous = {}, started
    for name, mark in marks.items():
        if mark is None:  # a message we did not find: say nothing rather than something wrong
            return {}
        phases[name] = round(mark - previous, 3)
        previous = mark
    return phases


async def _timed_start(suite: Suite, log: StampedLog,
                       label: str) -> tuple[float, dict[str, float], str]:
    """(seconds, phases, where the CPU went): start-up is mostly imports, i.e. CPU-bound, so
    other work on the machine (`elsewhere`) stretches it directly."""
    # Children born during start() count from zero; initdb and pg_ctl run and exit meanwhile.
    meter = CpuMeter.for_suite(suite, exited_children="initdb/pg_ctl")
    meter.start()
    started = time.perf_counter()
    await suite.start()
    healthy = time.perf_counter()
    cpu = cpu_note(f"{label} start", meter.stop(), meter.elapsed)
    return healthy - started, _phases(log, started, healthy), cpu


def _crashes(suite: Suite) -> dict[str, int]:
    """Children that crashed and were restarted on the way up: their start-up time counts it."""
    return {name: len(c.crashes) for name, c in suite.supervisor.children.items() if c.crashes}


async def bare_startups(runs: int = 3) -> list[float]:
    times = []
    for _ in range(runs):
        async with bare_app() as app:
            times.append(app.startup_seconds)
    return times


async def run(data_dir: Path, log: StampedLog) -> tuple[BenchResult, Suite]:
    """Returns the result and the warm-started suite, still running (the caller stops it)."""
    result = BenchResult("cold_start", TITLE, BASELINE)

    # Baseline first, while the machine is quiet, like the fresh suite start after it.
    bare = await bare_startups()
    bare_median = statistics.median(bare)

    fresh_suite = make_suite(data_dir, log)
    try:
        fresh, fresh_phases, fresh_cpu = await _timed_start(fresh_suite, log, "fresh")
        fresh_crashes = _crashes(fresh_suite)
    finally:
        stop_started = time.perf_counter()
        await fresh_suite.stop()
        stopped = time.perf_counter() - stop_started

    warm_suite = make_suite(data_dir, log)
    warm, warm_phases, warm_cpu = await _timed_start(warm_suite, log, "warm")
    warm_crashes = _crashes(warm_suite)

    result.rows = [
        Row("fresh data dir → healthy", fresh, bare_median, "s"),
        Row("warm restart → healthy", warm, bare_median, "s"),
    ]
    result.details = {
        "fresh_seconds": fresh, "warm_seconds": warm, "stop_seconds": stopped,
        "fresh_phases_seconds": fresh_phases, "warm_phases_seconds": warm_phases,
        "bare_app_startups_seconds": bare,
        "crashes_during_start": {"fresh": fresh_crashes, "warm": warm_crashes},
    }
    for label, phases, cpu in (("fresh", fresh_phases, fresh_cpu),
                               ("warm", warm_phases, warm_cpu)):
        result.notes.append(f"phases ({label}): "
                            + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()))
        result.notes.append(cpu)
    result.notes.append(f"stopping the fresh suite took {stopped:.1f} s")
    for label, crashes in (("fresh", fresh_crashes), ("warm", warm_crashes)):
        if crashes:
            listed = ", ".join(f"{name} {n}x" for name, n in crashes.items())
            result.notes.append(f"{label} start: {listed} crashed and restarted on the way up "
                                "(see the suite log); that time includes it")
    return result, warm_suite
