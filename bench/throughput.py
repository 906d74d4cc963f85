"""1. Gateway read throughput under wrk: authenticated GET /api/v1/projects on an organization
holding 20 projects (created through the REST API first), against the bare FastAPI app's
GET /api/v1/projects answering the same 20 projects, same wrk settings for both.

On the gateway that is JWT verification, rate limiting and, for a read the gateway's read cache
holds (nothing of the organization has changed since), the kept answer; the same read with
`Cache-Control: no-cache` goes on to the projects service (a query under row-level security,
20 rows to protobuf), forecasting (their margins) and capacity (their teams), then to JSON, and is
measured too. The baseline only builds the same JSON from memory.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from dataclasses import dataclass

import httpx

from bench.baseline_app import PROJECTS, project_body
from bench.harness import (
    BENCH_DIR,
    BenchResult,
    CpuMeter,
    Row,
    auth,
    bare_app,
    cpu_note,
    sign_up,
)
from labs_local import Suite

TITLE = "Gateway read throughput (wrk)"
# Issue #17: a read through the gateway, one gRPC hop and an indexed query is within reach of
# this share of a bare FastAPI app's throughput.
TARGET_RATIO = 0.35
BASELINE = "bare FastAPI app, same 20 projects from memory, uvicorn, 1 process"
PATH = "/api/v1/projects"
LUA = BENCH_DIR / "wrk_auth.lua"


@dataclass(frozen=True)
class WrkSettings:
    threads: int = 2
    connections: int = 32
    seconds: int = 10
    # A short unrecorded run first: connection pools, caches and lazy imports warm up.
    warmup_seconds: int = 2

    def argv(self, wrk: str, url: str, seconds: int) -> list[str]:
        return [wrk, f"-t{self.threads}", f"-c{self.connections}", f"-d{seconds}s",
                "--latency", "-s", str(LUA), url]


def find_wrk() -> tuple[str | None, str]:
    """wrk's path, installing Debian's package when we are root; else None and why."""
    if found := shutil.which("wrk"):
        return found, ""
    if os.geteuid() != 0:
        return None, ("wrk is not installed and the bench is not running as root, so it cannot "
                      "`apt-get install -y wrk`; install the Debian package wrk and run again")
    if not shutil.which("apt-get"):
        return None, "wrk is not installed and there is no apt-get to install it with"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    # A fresh machine has no package lists yet: update only when the plain install fails.
    for step in ([install], [["apt-get", "update", "-q"], install]):
        if all(subprocess.run(cmd, env=env, capture_output=True, timeout=300).returncode == 0
               for cmd in step):
            break
    if found := shutil.which("wrk"):
        return found, ""
    return None, "`apt-get install -y wrk` failed; install the Debian package wrk by hand"


async def run_wrk(wrk: str, url: str, settings: WrkSettings, token: str,
                  meter: CpuMeter | None = None, body: str = "", no_cache: bool = False) -> dict:
    """Warm-up, then the recorded run; `meter` (if any) watches only the recorded run. With
    `body`, every request POSTs it as JSON; with `no_cache`, every read says Cache-Control:
    no-cache."""
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_BODY": body,
           "BENCH_NO_CACHE": "1" if no_cache else ""}
    await _run(settings.argv(wrk, url, settings.warmup_seconds), env)
    if meter:
        meter.start()
    text = await _run(settings.argv(wrk, url, settings.seconds), env)
    cpu = meter.stop() if meter else None
    line = next((ln for ln in text.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{text[-2000:]}")
    stats = json.loads(line.removeprefix("BENCH_JSON "))
    stats["requests_per_second"] = stats["requests"] / (stats["duration_us"] / 1e6)
    stats["cpu_seconds"] = cpu
    stats["output"] = text  # the human report, with --latency's distribution, for the record
    return stats


async def _run(argv: list[str], env: dict[str, str]) -> str:
    process = await asyncio.create_subprocess_exec(
        *argv, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        out, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    except BaseException:
        process.kill()
        await process.wait()
        raise
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with {process.returncode}:\n{out.decode()}")
    return out.decode(errors="replace")


async def seed_projects(http: httpx.AsyncClient, token: str) -> list[str]:
    """One client and PROJECTS projects (baseline_app.project_body), through the REST API."""
    client = await http.post("/clients", headers=auth(token), json={"name": "Bench Client"})
    client.raise_for_status()
    ids = []
    for i in range(PROJECTS):
        created = await http.post("/projects", headers=auth(token),
                                  json=project_body(i, client.json()["id"]))
        created.raise_for_status()
        ids.append(created.json()["id"])
    return ids


async def _listed(http: httpx.AsyncClient, url: str, token: str) -> int:
    """Check that `url` lists PROJECTS projects; the size of its JSON body in bytes."""
    response = await http.get(url, headers=auth(token))
    response.raise_for_status()
    if (found := len(response.json()["projects"])) != PROJECTS:
        raise RuntimeError(f"{url} listed {found} projects, not {PROJECTS}")
    return len(response.content)


def _errors(stats: dict) -> int:
    return sum(stats[k] for k in ("non_2xx_3xx", "connect_errors", "read_errors",
                                  "write_errors", "timeouts"))


async def run(suite: Suite, settings: WrkSettings | None = None) -> BenchResult:
    settings = settings or WrkSettings()
    result = BenchResult("throughput", TITLE, BASELINE)
    wrk, why = await asyncio.to_thread(find_wrk)
    if wrk is None:
        result.status = "skipped"
        result.notes.append(why)
        return result

    async with httpx.AsyncClient(base_url=f"{suite.gateway_url}/api/v1", timeout=15) as http:
        token = (await sign_up(http))["access_token"]
        await seed_projects(http, token)
        labs_body = await _listed(http, suite.gateway_url + PATH, token)
    async with bare_app() as app:
        async with httpx.AsyncClient(timeout=15) as http:
            bare_body = await _listed(http, app.url + PATH, token)
        bare_meter = CpuMeter.for_baseline(app.process.pid, suite)
        bare = await run_wrk(wrk, app.url + PATH, settings, token, bare_meter)
    meter = CpuMeter.for_suite(suite)
    labs = await run_wrk(wrk, suite.gateway_url + PATH, settings, token, meter)
    uncached_meter = CpuMeter.for_suite(suite)
    uncached = await run_wrk(wrk, suite.gateway_url + PATH, settings, token, uncached_meter,
                             no_cache=True)

    result.rows = [
        Row("requests/s", labs["requests_per_second"], bare["requests_per_second"], "req/s",
            better="higher"),
        Row("latency p50", labs["p50_us"] / 1000, bare["p50_us"] / 1000, "ms"),
        Row("latency p99", labs["p99_us"] / 1000, bare["p99_us"] / 1000, "ms"),
        Row(f"requests/s vs {TARGET_RATIO:g}x baseline target", labs["requests_per_second"],
            TARGET_RATIO * bare["requests_per_second"], "req/s", better="higher"),
        Row("requests/s, no-cache (every read asks 3 services)",
            uncached["requests_per_second"], bare["requests_per_second"], "req/s",
            better="higher"),
        Row("no-cache latency p50", uncached["p50_us"] / 1000, bare["p50_us"] / 1000, "ms"),
    ]
    result.details = {"settings": settings.__dict__, "labs": labs, "baseline": bare,
                      "labs_no_cache": uncached}
    result.notes.append(
        f"GET {PATH}: {PROJECTS} projects (one client) created through POST /projects in a fresh "
        f"organization, read by its owner's JWT; JSON body {labs_body} bytes (gateway) vs "
        f"{bare_body} (baseline, the same 20 projects from memory)")
    result.notes.append(f"wrk -t{settings.threads} -c{settings.connections} "
                        f"-d{settings.seconds}s on both (after a {settings.warmup_seconds} s "
                        "warm-up), on the same 2 cores as the servers")
    result.notes.append(cpu_note("gateway run", labs["cpu_seconds"], meter.elapsed))
    result.notes.append(cpu_note("gateway run, no-cache", uncached["cpu_seconds"],
                                 uncached_meter.elapsed))
    result.notes.append(cpu_note("baseline run", bare["cpu_seconds"], bare_meter.elapsed))
    for name, stats in (("gateway", labs), ("gateway, no-cache", uncached), ("baseline", bare)):
        if errors := _errors(stats):
            result.notes.append(f"{name}: {errors} non-2xx responses or socket errors "
                                f"of {stats['requests']} — its req/s is not all successes")
    return result
