"""`python -m labs_local up` as `make up` runs it: comes up, then SIGTERM stops it with status 0."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time

import pytest

from labs_local import free_port, free_port_base
from labs_local.health import grpc_health

pytestmark = pytest.mark.integration


async def test_up_runs_until_sigterm_and_exits_cleanly(postgres_url, nats_url, tmp_path):
    base = free_port_base()
    env = {**os.environ, "LABS_DATABASE_URL": postgres_url, "LABS_NATS_URL": nats_url,
           "LABS_PORT_BASE": str(base), "LABS_GATEWAY_PORT": str(free_port()),
           "LABS_DATA_DIR": str(tmp_path)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "labs_local", "up", "--only", "time", "--no-gateway",
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    lines: list[str] = []
    try:
        async with asyncio.timeout(90):
            while not any("Labs is up" in line for line in lines):
                line = await process.stdout.readline()
                assert line, "up exited early:\n" + "".join(lines)
                lines.append(line.decode())
        assert await grpc_health(f"127.0.0.1:{base + 3}") is None
        assert any("127.0.0.1:" + str(base + 3) in line for line in lines)  # the banner

        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        rest, _ = await asyncio.wait_for(process.communicate(), 15)
        assert process.returncode == 0, rest.decode()
        assert time.monotonic() - started < 10
        assert "time │ stopped (exited with code 0)" in rest.decode()
        assert await grpc_health(f"127.0.0.1:{base + 3}") is not None
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
