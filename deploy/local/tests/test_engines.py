"""Embedded engines: a runner that died without cleanup must not keep PostgreSQL alive forever."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import asyncpg
import nats
import pytest

from labs_local.engines import forget_dead_postgres_handles, start_engines
from labs_local.ports import free_port


def test_dead_runners_are_forgotten_live_ones_kept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    handles = tmp_path / ".handle_pids.json"
    handles.write_text(json.dumps([dead.pid, os.getpid()]))
    forget_dead_postgres_handles(tmp_path)
    assert json.loads(handles.read_text()) == [os.getpid()]


def test_no_handle_file_is_fine(tmp_path):
    forget_dead_postgres_handles(tmp_path)
    assert not (tmp_path / ".handle_pids.json").exists()


async def test_embedded_nats_has_jetstream_keeps_it_and_stops(tmp_path, captured_output):
    output, _ = captured_output()
    port = free_port()
    engines = await start_engines(data_dir=tmp_path, database_url="postgresql://given",
                                  nats_url=None, nats_port=port, output=output)
    try:
        assert engines.database_url == "postgresql://given"  # a given server is used as it is
        assert engines.nats_url == f"nats://127.0.0.1:{port}"
        assert os.getpgid(engines.nats.process.pid) == engines.nats.process.pid  # own session
        connection = await nats.connect(engines.nats_url)
        try:
            await connection.jetstream().add_stream(name="LOCAL_TEST", subjects=["local.test"])
        finally:
            await connection.close()
    finally:
        process = engines.nats.process
        await asyncio.to_thread(engines.stop)
    assert process.poll() is not None
    assert (tmp_path / "nats" / "jetstream").is_dir()  # what a restart finds again


@pytest.mark.integration
async def test_embedded_postgres_keeps_its_data_across_restarts(tmp_path, captured_output):
    output, _ = captured_output()

    async def start():
        return await start_engines(data_dir=tmp_path, database_url=None, nats_url=None,
                                   nats_port=free_port(), output=output)

    engines = await start()
    try:
        connection = await asyncpg.connect(engines.database_url)
        await connection.execute("CREATE DATABASE labs_kept")
        await connection.close()
    finally:
        await asyncio.to_thread(engines.stop)
    engines = await start()
    try:
        connection = await asyncpg.connect(engines.database_url)
        names = {r["datname"] for r in await connection.fetch("SELECT datname FROM pg_database")}
        await connection.close()
        assert "labs_kept" in names
    finally:
        await asyncio.to_thread(engines.stop)
