"""PostgreSQL and NATS for a local suite: embedded ones kept under the data directory, or the
servers LABS_DATABASE_URL / LABS_NATS_URL point at."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

from labs_common.testing.infrastructure import NatsProcess, nats_server_binary, start_postgres
from labs_local.output import Output
from labs_local.processes import die_with_parent_hook

_NATS_START_SECONDS = 15.0
# One platform on its own server: seven services' pools of up to twice LABS_DATABASE_POOL_SIZE
# (10) and their outbox listeners are 147, and a drill's or bench's checks a few more. Not the
# tests' 500: every slot costs shared memory that each backend maps (about 1 MiB of RSS per
# backend, 14 MiB of the postmaster's, measured).
SUITE_MAX_CONNECTIONS = 200


@dataclass
class Engines:
    database_url: str
    nats_url: str
    # Set only for engines we started, hence the ones we stop.
    postgres: object | None = None
    nats: NatsProcess | None = None

    def stop(self) -> None:
        """Blocking (pg_ctl stop waits for the server): call it from a thread in async code."""
        if self.nats is not None:
            self.nats.stop()
            self.nats = None
        if self.postgres is not None:
            # pgserver stops the server only when this is its last handle: another process using
            # the same data directory keeps it running.
            self.postgres.cleanup()
            self.postgres = None


def forget_dead_postgres_handles(pgdata: Path) -> None:
    """pgserver stops PostgreSQL when its last user process lets go, counting users in a pid file.
    A runner killed without cleanup (SIGKILL, a closed terminal) stays in that file forever and
    every later clean stop would leave PostgreSQL running; so dead pids are dropped first."""
    from pgserver.utils import DiskList, process_is_running

    handles = DiskList(pgdata / ".handle_pids.json")
    with contextlib.suppress(OSError, ValueError):
        pids = handles.get()
        alive = [pid for pid in pids if process_is_running(pid)]
        if alive != pids:
            handles.put(alive)


def _start_postgres(pgdata: Path):
    forget_dead_postgres_handles(pgdata)
    return start_postgres(pgdata, max_connections=SUITE_MAX_CONNECTIONS)


def _spawn_nats(data_dir: Path, port: int, log_file: Path) -> subprocess.Popen:
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        return subprocess.Popen(
            [nats_server_binary(), "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(data_dir)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=die_with_parent_hook(),
        )


async def start_nats(data_dir: Path, port: int, log_file: Path) -> NatsProcess:
    """Like labs_common.testing.infrastructure.start_nats, but in its own session and spawned
    from the event loop's thread.

    Own session: a terminal's Ctrl-C goes to the whole foreground process group; a NATS in the
    runner's group would die at once, and the services, still draining, would wait for it until
    SIGKILL (pgserver detaches PostgreSQL the same way). Loop thread: see die_with_parent_hook.
    Can go back to start_nats once it offers start_new_session.
    """
    # Called here, not in a worker thread: a fork + exec is quick, and the thread matters.
    process = _spawn_nats(data_dir, port, log_file)
    nats = NatsProcess(process, f"nats://127.0.0.1:{port}")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _NATS_START_SECONDS
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"nats-server exited with {process.returncode}; see {log_file}")
            try:
                _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 1)
            except (OSError, TimeoutError):
                if loop.time() > deadline:
                    raise RuntimeError(
                        f"nats-server did not accept clients within {_NATS_START_SECONDS:g} s"
                    ) from None
                await asyncio.sleep(0.05)
            else:
                writer.close()
                return nats
    except BaseException:
        await asyncio.to_thread(nats.stop)
        raise


async def start_engines(
    *,
    data_dir: Path | None,
    database_url: str | None,
    nats_url: str | None,
    nats_port: int,
    output: Output,
) -> Engines:
    """Engines that are not given are started under data_dir. If anything fails, what did start
    is stopped again before the error propagates."""
    if (not database_url or not nats_url) and data_dir is None:
        raise ValueError("a data directory is needed to run embedded PostgreSQL or NATS")
    engines = Engines(database_url or "", nats_url or "")
    try:
        if not database_url:
            output.info(f"starting PostgreSQL in {data_dir / 'postgres'}", "dim")
            # Blocking (initdb on a first run takes seconds), and pgserver detaches PostgreSQL
            # itself, so a worker thread is fine here.
            engines.postgres, engines.database_url = await asyncio.to_thread(
                _start_postgres, data_dir / "postgres"
            )
        if not nats_url:
            output.info(f"starting NATS (JetStream in {data_dir / 'nats'}) on port {nats_port}",
                        "dim")
            engines.nats = await start_nats(data_dir / "nats", nats_port, data_dir / "nats.log")
            engines.nats_url = engines.nats.url
    except BaseException:
        with contextlib.suppress(Exception):
            await asyncio.to_thread(engines.stop)
        raise
    return engines
