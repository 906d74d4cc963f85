"""1. Gateway read throughput under wrk: authenticated GET /api/v1/organizations/current/members
against the bare FastAPI app's endpoint of the same shape, same wrk settings for both.

The read worth watching is the projects list, but GET /projects did not exist when this was
written, so the members list — a real read: JWT check, rate limit, gRPC to identity, a query under
row-level security — stands in for it. The run says which applies (it asks for /projects first);
once /projects answers, point PATH and the baseline app at it.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from dataclasses import dataclass

import httpx

from bench.harness import (
    BENCH_DIR,
    BenchResult,
    CpuMeter,
    Row,
    bare_app,
    cpu_note,
    documented_paths,
    sign_up,
)
from labs_local import Suite

TITLE = "Gateway read throughput (wrk)"
BASELINE = "bare FastAPI app, same JSON shape, uvicorn, 1 process"
PATH = "/api/v1/organizations/current/members"
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


async def _wrk(wrk: str, url: str, settings: WrkSettings, token: str,
               meter: CpuMeter | None = None) -> dict:
    """Warm-up, then the recorded run; `meter` (if any) watches only the recorded run."""
    env = {**os.environ, "BENCH_TOKEN": token}
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
        projects = "GET" in (await documented_paths(http)).get("/api/v1/projects", set())
    result.notes.append(
        "GET /projects is served now, but this still measures the members list (1 member): "
        "point PATH here and the baseline app at /projects to switch" if projects else
        "GET /projects does not exist yet: measured GET /organizations/current/members "
        "(1 member) instead")
    async with bare_app() as app:
        bare_meter = CpuMeter.for_baseline(app.process.pid, suite)
        bare = await _wrk(wrk, app.url + PATH, settings, token, bare_meter)
    meter = CpuMeter.for_suite(suite)
    labs = await _wrk(wrk, suite.gateway_url + PATH, settings, token, meter)

    result.rows = [
        Row("requests/s", labs["requests_per_second"], bare["requests_per_second"], "req/s",
            better="higher"),
        Row("latency p50", labs["p50_us"] / 1000, bare["p50_us"] / 1000, "ms"),
        Row("latency p99", labs["p99_us"] / 1000, bare["p99_us"] / 1000, "ms"),
    ]
    result.details = {"settings": settings.__dict__, "labs": labs, "baseline": bare}
    result.notes.append(f"wrk -t{settings.threads} -c{settings.connections} "
                        f"-d{settings.seconds}s on both (after a {settings.warmup_seconds} s "
                        "warm-up), on the same 2 cores as the servers")
    result.notes.append(cpu_note("gateway run", labs["cpu_seconds"], meter.elapsed))
    result.notes.append(cpu_note("baseline run", bare["cpu_seconds"], bare_meter.elapsed))
    for name, stats in (("gateway", labs), ("baseline", bare)):
        if errors := _errors(stats):
            result.notes.append(f"{name}: {errors} non-2xx responses or socket errors "
                                f"of {stats['requests']} — its req/s is not all successes")
    return result
