"""2. Write latency at a fixed request rate: p50/p95 of an authenticated
POST /api/v1/projects/{id}/time-entries (1.5 hours today, unique notes), offered at a constant rate
by locust (headless, one request per user per second), against the bare FastAPI app's echo of a
time entry at the same path and rate.

The rate, unless one is given: half of the highest the suite sustains, measured first in the same
run (wrk, closed loop, SATURATION_CONNECTIONS at once, for SATURATION_SECONDS: requests answered
201 per second). The target is p95 ≤ P95_TARGET_MS at that rate.

On the gateway that is JWT verification, rate limiting, gRPC to the time service, which reads
the organization (timezone, rounding), the project (state, rate override) and the person's rates
from its own read models (kept from identity's, projects' and capacity's events; a row missing or
changed in the last few seconds is asked of its owner instead), then INSERTs the entry and its
outbox event in one transaction. The baseline validates the same body and answers a
time-entry-shaped object made from it, storing and looking up nothing.

Why locust: wrk2 and vegeta are not packaged for Debian; locust is on PyPI and paces each
simulated user (bench/locustfile.py keeps constant_throughput's idea on an absolute schedule), so
users x rate is a fixed offered load: a closed-loop tool would lower the rate whenever the server
slows down, and hide the latency.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.harness import (
    BENCH_DIR,
    REPO_ROOT,
    BenchResult,
    CpuMeter,
    Row,
    auth,
    bare_app,
    cpu_note,
    percentile,
    sign_up,
)
from bench.throughput import WrkSettings, find_wrk, run_wrk
from labs_local import Suite

TITLE = "Write latency at a fixed rate (locust)"
BASELINE = "bare FastAPI app echoing a time entry, same path and rate"
PATH = "/api/v1/projects/{id}/time-entries"


P95_TARGET_MS = 25.0
SATURATION_CONNECTIONS = 8
SATURATION_SECONDS = 8
# The rate offered when wrk is missing and no rate was given.
FALLBACK_RATE = 20


@dataclass(frozen=True)
class RateSettings:
    rate: int | None = None  # requests per second offered; None: half the measured highest
    seconds: int = 10

    @property
    def users(self) -> int:
        # One request per second per user: enough users that no one of them waits on a slow
        # answer before its next turn as long as answers take under a second.
        assert self.rate is not None
        return self.rate


async def highest_rate(url: str, token: str, worked: str) -> tuple[float | None, str]:
    """Time entries per second the suite answers 201 when SATURATION_CONNECTIONS clients post
    back to back; None (and why) without wrk."""
    wrk, why = await asyncio.to_thread(find_wrk)
    if wrk is None:
        return None, why
    body = json.dumps({"hours": 1.5, "date_worked": worked, "notes": "bench saturation"})
    settings = WrkSettings(connections=SATURATION_CONNECTIONS, seconds=SATURATION_SECONDS)
    stats = await run_wrk(wrk, url, settings, token, body=body)
    failed = stats["non_2xx_3xx"] + stats["timeouts"] + stats["read_errors"]
    return (stats["requests"] - failed) / (stats["duration_us"] / 1e6), (
        f"highest sustained rate: {stats['requests_per_second']:.1f} req/s, {failed} not 201 "
        f"(wrk, {SATURATION_CONNECTIONS} connections posting back to back for "
        f"{SATURATION_SECONDS} s after a {settings.warmup_seconds} s warm-up)")


async def _locust(host: str, path: str, token: str, worked: str,
                  settings: RateSettings) -> dict:
    with tempfile.TemporaryDirectory(prefix="labs-bench-locust-") as tmp:
        samples_file = Path(tmp) / "samples.json"
        env = {**os.environ, "BENCH_PATH": path, "BENCH_TOKEN": token,
               "BENCH_DATE": worked, "BENCH_RATE": str(settings.rate), "BENCH_PER_USER_RATE": "1",
               "BENCH_SAMPLES": str(samples_file)}
        argv = [sys.executable, "-m", "locust", "-f", str(BENCH_DIR / "locustfile.py"),
                "--headless", "--only-summary", "--loglevel", "WARNING",
                "-u", str(settings.users), "-r", str(settings.users),
                # +1: locust counts spawning the users (about a second) in its run time.
                "-t", f"{settings.seconds + 1}s", "--stop-timeout", "5",
                "--exit-code-on-error", "0", "-H", host]
        process = await asyncio.create_subprocess_exec(
            *argv, env=env, cwd=REPO_ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            out, _ = await asyncio.wait_for(process.communicate(), settings.seconds + 60)
        except BaseException:
            process.kill()
            await process.wait()
            raise
        text = out.decode(errors="replace")
        if process.returncode != 0 or not samples_file.exists():
            raise RuntimeError(f"locust exited with {process.returncode}:\n{text[-3000:]}")
        samples = json.loads(samples_file.read_text())
    return _summarize(samples, text)


def _summarize(samples: list[dict], output: str) -> dict:
    ok = [s for s in samples if s["error"] is None and s["status"] and s["status"] < 400]
    starts = sorted(s["start"] for s in samples if s["start"] is not None)
    span = (starts[-1] - starts[0]) if len(starts) > 1 else 0.0
    latencies = [s["ms"] for s in ok]
    return {
        "requests": len(samples), "ok": len(ok), "failed": len(samples) - len(ok),
        # Requests started per second, first to last: did the generator hold the rate?
        "achieved_rate": (len(starts) - 1) / span if span else None,
        "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99), "max_ms": max(latencies, default=None),
        "statuses": sorted({s["status"] for s in samples if s["status"]}),
        "output": output,
    }


async def _check(http: httpx.AsyncClient, url: str, token: str, worked: str) -> int:
    """One POST of the benchmark's body, outside the measurement: 201 and a time entry of 1.5 h
    on `worked`, or the benchmark fails here rather than timing errors. The body's size."""
    response = await http.post(url, headers=auth(token), json={
        "hours": 1.5, "date_worked": worked, "notes": "bench check"})
    if response.status_code != 201:
        raise RuntimeError(f"POST {url} answered {response.status_code}: {response.text[:500]}")
    entry = response.json()
    if (entry["hours"], entry["date_worked"]) != (1.5, worked):
        raise RuntimeError(f"POST {url} answered an unexpected entry: {entry}")
    return len(response.content)


async def run(suite: Suite, settings: RateSettings | None = None) -> BenchResult:
    settings = settings or RateSettings()
    result = BenchResult("write_latency", TITLE, BASELINE)
    # The organization's timezone is UTC (signup's default), so this is its today too.
    worked = datetime.now(UTC).date().isoformat()
    async with httpx.AsyncClient(base_url=f"{suite.gateway_url}/api/v1", timeout=15) as http:
        token = (await sign_up(http))["access_token"]
        created = await http.post("/projects", headers=auth(token), json={
            "name": "Bench time", "client_name": "Bench Client", "status": "active",
            "billing_rate_override": "150.00", "budget_currency": "USD"})
        created.raise_for_status()
        path = PATH.format(id=created.json()["id"])
        labs_body = await _check(http, suite.gateway_url + path, token, worked)
    saturation_note = "rate given on the command line"
    if settings.rate is None:
        highest, saturation_note = await highest_rate(suite.gateway_url + path, token, worked)
        rate = max(1, round(highest / 2)) if highest else FALLBACK_RATE
        settings = RateSettings(rate=rate, seconds=settings.seconds)
        result.details["highest_rate"] = highest
    async with bare_app() as app:
        async with httpx.AsyncClient(timeout=15) as http:
            bare_body = await _check(http, app.url + path, token, worked)
        bare_meter = CpuMeter.for_baseline(app.process.pid, suite)
        bare_meter.start()
        bare = await _locust(app.url, path, token, worked, settings)
        bare["cpu_seconds"] = bare_meter.stop()
    meter = CpuMeter.for_suite(suite)
    meter.start()
    labs = await _locust(suite.gateway_url, path, token, worked, settings)
    labs["cpu_seconds"] = meter.stop()

    result.rows = [
        Row("POST p50", labs["p50_ms"], bare["p50_ms"], "ms"),
        Row("POST p95", labs["p95_ms"], bare["p95_ms"], "ms"),
        Row(f"POST p95 vs {P95_TARGET_MS:g} ms target", labs["p95_ms"], P95_TARGET_MS, "ms"),
    ]
    result.details |= {"settings": {**settings.__dict__, "users": settings.users},
                       "labs": labs, "baseline": bare}
    result.notes.append(f"{saturation_note}; offered half of it: {settings.rate} req/s")
    result.notes.append(
        f"POST {PATH} on one active project (billing rate override 150.00) by the owner of a "
        f"fresh organization: {{hours: 1.5, date_worked: {worked}, notes: unique}}; answer "
        f"{labs_body} bytes (gateway) vs {bare_body} (baseline echo, nothing stored); one "
        "unrecorded POST each first, to check the answer")
    result.notes.append(
        f"offered {settings.rate} req/s for {settings.seconds} s; achieved "
        f"{labs['achieved_rate'] or 0:.1f} (gateway, {labs['ok']} ok, {labs['failed']} failed) / "
        f"{bare['achieved_rate'] or 0:.1f} (baseline, {bare['ok']} ok, {bare['failed']} failed)"
    )
    # Whole locust runs, its start-up included: the load generator share is inflated.
    result.notes.append(cpu_note("gateway run", labs["cpu_seconds"], meter.elapsed))
    result.notes.append(cpu_note("baseline run", bare["cpu_seconds"], bare_meter.elapsed))
    return result
