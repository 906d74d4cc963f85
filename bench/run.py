"""Entry point: start the platform once (twice, counting the cold-start benchmark), run every
benchmark against it and its baseline, print the table, write bench/results/*.json.

Order matters: cold start leaves a warm suite running; memory is read while that suite is still
idle, before any load has grown its caches and pools; then the load benchmarks, lightest last;
then margins (its dashboard half seeds forecasting's read model directly, an organization of its
own); then invoice generation, which leaves its time entries (15,000 by default) behind, after
them all.
Everything started here is stopped here, also on Ctrl-C or when a benchmark fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from bench import (
    cold_start,
    console_render,
    event_latency,
    forecast_accuracy,
    invoice_generation,
    margins,
    memory,
    throughput,
    write_latency,
    ws_fanout,
)
from bench.harness import BENCH_DIR, BenchResult, StampedLog, make_suite, settle
from bench.report import print_report, write_json
from labs_local import Suite

BENCHMARKS = ("cold_start", "memory", "throughput", "write_latency", "event_latency",
              "ws_fanout", "console_render", "margins", "invoice_generation",
              "forecast_accuracy")
# Pure Python, no platform: run after the suite stopped, on a quiet machine.
STANDALONE = {"forecast_accuracy"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default=",".join(BENCHMARKS),
                        help=f"comma-separated subset of {', '.join(BENCHMARKS)}")
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--wrk-connections", type=int, default=32)
    parser.add_argument("--rate", type=int, default=None,
                        help="write benchmark: requests/s (default: half the highest measured)")
    parser.add_argument("--write-seconds", type=int, default=10)
    parser.add_argument("--samples", type=int, default=50, help="event benchmark: N")
    parser.add_argument("--idle-seconds", type=float, default=3.0)
    parser.add_argument("--invoice-projects", type=int, default=3,
                        help="invoice benchmark: repetitions, each a fresh project")
    parser.add_argument("--invoice-entries", type=int, default=5000,
                        help="invoice benchmark: time entries per invoice")
    parser.add_argument("--margin-entries", type=int, default=200_000,
                        help="margins benchmark: N (the dashboard is read at N and 10N entries)")
    parser.add_argument("--margin-samples", type=int, default=50,
                        help="margins benchmark: entries timed to their margin-updated")
    parser.add_argument("--ws-sizes", default="1000,5000",
                        help="fan-out benchmark: socket counts, comma-separated")
    parser.add_argument("--ws-events", type=int, default=20,
                        help="fan-out benchmark: events timed per socket count")
    parser.add_argument("--ws-clients", type=int, default=1,
                        help="fan-out benchmark: client processes holding the sockets")
    parser.add_argument("--console-samples", type=int, default=10,
                        help="console benchmark: logins timed, each in a fresh browser context")
    parser.add_argument("--forecast-projects", type=int, default=240,
                        help="forecast accuracy benchmark: synthetic projects")
    args = parser.parse_args(argv)
    args.only = [b.strip() for b in args.only.split(",") if b.strip()]
    if unknown := set(args.only) - set(BENCHMARKS):
        parser.error(f"unknown benchmarks: {', '.join(sorted(unknown))}")
    return args


async def _attempt(console: Console, name: str, title: str, baseline: str,
                   body: Callable[[], Awaitable[BenchResult]]) -> BenchResult:
    """One benchmark failing must not lose the others' numbers; it is reported as failed."""
    console.print(f"[bold cyan]▶ {title}[/] [dim]vs {baseline}[/]")
    started = time.perf_counter()
    try:
        result = await body()
    except Exception as error:
        result = BenchResult(name, title, baseline, status="failed",
                             notes=[f"{type(error).__name__}: {error}"])
    result.seconds = time.perf_counter() - started
    return result


async def _run(args: argparse.Namespace, console: Console, log: StampedLog,
               data_dir: Path) -> list[BenchResult]:
    results: list[BenchResult] = []
    suite: Suite | None = None
    if "ws_fanout" in args.only:
        # Before any suite starts, which inherits both: the gateway's descriptors for thousands
        # of sockets, and where it writes its collector's pauses (labs_gateway.ws.gc_pauses).
        ws_fanout.raise_fd_limit()
        os.environ.setdefault(ws_fanout.GC_ENV, str(data_dir / "gateway-gc-pauses.json"))
    try:
        if "cold_start" in args.only:
            async def cold() -> BenchResult:
                nonlocal suite
                result, suite = await cold_start.run(data_dir, log)
                return result
            results.append(await _attempt(console, "cold_start", cold_start.TITLE,
                                          cold_start.BASELINE, cold))
        if suite is None and set(args.only) - {"cold_start"} - STANDALONE:
            console.print("[dim]starting the suite…[/]")
            candidate = make_suite(data_dir, log)
            try:
                await candidate.start()  # stops what it started if it fails
            except Exception as error:
                results += [BenchResult(name, name, "", status="failed",
                                        notes=[f"the suite did not start: {error}"])
                            for name in args.only
                            if name != "cold_start" and name not in STANDALONE]
                args.only = [name for name in args.only if name in STANDALONE]
            else:
                suite = candidate

        plan: list[tuple[str, str, str, Callable[[], Awaitable[BenchResult]]]] = [
            ("memory", memory.TITLE, memory.BASELINE,
             lambda: memory.run(suite, args.idle_seconds)),
            ("throughput", throughput.TITLE, throughput.BASELINE,
             lambda: throughput.run(suite, throughput.WrkSettings(
                 connections=args.wrk_connections, seconds=args.wrk_seconds))),
            ("write_latency", write_latency.TITLE, write_latency.BASELINE,
             lambda: write_latency.run(suite, write_latency.RateSettings(
                 rate=args.rate, seconds=args.write_seconds))),
            ("event_latency", event_latency.TITLE, event_latency.BASELINE,
             lambda: event_latency.run(suite, args.samples)),
            ("ws_fanout", ws_fanout.TITLE, ws_fanout.BASELINE,
             lambda: ws_fanout.run(suite, tuple(int(n) for n in args.ws_sizes.split(",")),
                                   args.ws_events, args.ws_clients)),
            ("console_render", console_render.TITLE, console_render.BASELINE,
             lambda: console_render.run(suite, args.console_samples)),
            ("margins", margins.TITLE, margins.BASELINE,
             lambda: margins.run(suite, args.margin_entries, args.margin_samples)),
            ("invoice_generation", invoice_generation.TITLE, invoice_generation.BASELINE,
             lambda: invoice_generation.run(suite, args.invoice_projects,
                                            args.invoice_entries)),
        ]
        for name, title, baseline, body in plan:
            if name in args.only:
                waited, quiet = await settle(suite)
                result = await _attempt(console, name, title, baseline, body)
                result.notes.append(
                    f"started once the suite was idle (under 15 % of a core for 1 s): waited "
                    f"{waited:.1f} s for what the previous benchmark left to be done"
                    if quiet else f"started after {waited:.0f} s with the suite still busy")
                results.append(result)
    finally:
        if suite is not None:
            console.print("[dim]stopping the suite…[/]")
            await suite.stop()
    if "forecast_accuracy" in args.only:
        results.append(await _attempt(
            console, "forecast_accuracy", forecast_accuracy.TITLE, forecast_accuracy.BASELINE,
            lambda: forecast_accuracy.run(args.forecast_projects)))
    return results


def _machine() -> dict:
    return {"cpus": os.cpu_count(), "load_average": os.getloadavg(),
            "python": sys.version.split()[0], "platform": platform.platform()}


async def _main(args: argparse.Namespace) -> int:
    # Piped (CI, `| tee`), rich would assume 80 columns and fold the table; give it room.
    console = Console() if sys.stdout.isatty() else Console(width=120)
    started_at = datetime.now(UTC)
    stamp = started_at.strftime("%Y%m%dT%H%M%SZ")
    results_dir = BENCH_DIR / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    log_path = results_dir / f"{stamp}-suite.log"
    machine = _machine()
    console.print(f"[bold]Labs bench[/] {stamp}: {machine['cpus']} CPUs, load "
                  f"{machine['load_average'][0]:.2f}; suite logs → {log_path}")
    log = StampedLog(log_path)
    began = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="labs-bench-",
                                         ignore_cleanup_errors=True) as tmp:
            results = await _run(args, console, log, Path(tmp))
    finally:
        log.close()
    document = {
        "started_at": started_at.isoformat(), "seconds": round(time.perf_counter() - began, 1),
        "machine": machine, "suite_log": str(log_path),
        "benchmarks": {r.name: r.as_dict() for r in results},
    }
    paths = write_json(document, results_dir, stamp)
    print_report(console, results, paths)
    # A benchmark that broke is an error; a slow one never is (ratios, not thresholds).
    return 1 if any(r.status == "failed" for r in results) else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return asyncio.run(_main(args))
    except KeyboardInterrupt:
        return 130
