"""The Suite against the test session's PostgreSQL and NATS: the code path `up` and e2e share."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time

import pytest

from labs_local import StartupError, Suite, free_port, free_port_base
from labs_local.health import grpc_health

pytestmark = pytest.mark.integration


async def test_services_come_up_healthy_a_killed_one_comes_back_and_stop_is_quick(
    postgres_url, nats_url, captured_output, eventually, tmp_path
):
    output, buffer = captured_output()
    suite = Suite(data_dir=tmp_path, port_base=free_port_base(), gateway_port=free_port(),
                  database_url=postgres_url, nats_url=nats_url, services=("identity", "time"),
                  gateway=False, console=output.console)
    await suite.start()
    try:
        for name in ("identity", "time"):
            assert await grpc_health(suite.address_of(name)) is None
        log = buffer.getvalue()
        # both started at once: time does not wait for identity
        assert "identity │ started" in log and "time │ started" in log
        assert "time │" in log and "service.started" in log

        time_child = suite.supervisor.children["time"]
        os.kill(time_child.pid, signal.SIGKILL)
        await eventually(lambda: len(time_child.crashes) == 1, what="crash noticed")
        assert "time │ killed by SIGKILL" in buffer.getvalue()
        await eventually(lambda: time_child.starts == 2, what="restart")
        deadline = time.monotonic() + 60
        while await grpc_health(suite.address_of("time")) is not None:
            assert time.monotonic() < deadline, "time did not come back"
            await asyncio.sleep(0.1)
    finally:
        started = time.monotonic()
        await suite.stop()
    assert time.monotonic() - started < suite.kill_after
    assert {c.last_exit_code for c in suite.supervisor.children.values()} == {0}
    await suite.stop()  # idempotent


async def test_a_taken_port_is_reported_before_anything_starts(postgres_url, nats_url, tmp_path):
    base = free_port_base()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", base + 3))
        squatter.listen()
        suite = Suite(data_dir=tmp_path, port_base=base, gateway=False,
                      database_url=postgres_url, nats_url=nats_url, services=("time",))
        with pytest.raises(StartupError, match=rf"ports already in use: time {base + 3}"):
            await suite.start()
    assert suite.supervisor.children == {}
