"""Taking pieces of a running suite down and bringing them back: its supervised children by
signal, the embedded PostgreSQL and NATS directly (nothing supervises those, so the drill starts
them again itself, as an orchestrator would)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
import uuid
from pathlib import Path

import psutil

from labs_local.engines import start_nats
from labs_local.suite import Suite


def child_pid(suite: Suite, name: str) -> int:
    child = suite.supervisor.children[name]
    if child.pid is None or not child.running:
        raise RuntimeError(f"{name} is not running")
    return child.pid


def crashes(suite: Suite) -> dict[str, int]:
    return {name: len(child.crashes) for name, child in suite.supervisor.children.items()}


def kill_child(suite: Suite, name: str, signum: int = signal.SIGKILL) -> None:
    os.kill(child_pid(suite, name), signum)


# PostgreSQL -----------------------------------------------------------------------------------

def _postmaster_pid(pgdata: Path) -> int | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        return int((pgdata / "postmaster.pid").read_text().splitlines()[0])
    return None


def postgres_kill9(suite: Suite) -> None:
    """SIGKILL to the postmaster and every backend at once: a machine losing the process."""
    server = suite.engines.postgres
    pid = _postmaster_pid(Path(server.pgdata))
    if pid is None:
        raise RuntimeError("PostgreSQL is not running")
    parent = psutil.Process(pid)
    victims = [parent, *parent.children(recursive=True)]
    for process in victims:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(signal.SIGKILL)
    psutil.wait_procs(victims, timeout=10)


def postgres_stop(suite: Suite) -> None:
    """A clean but abrupt stop (pg_ctl -m fast: sessions are cut, nothing is lost)."""
    from pgserver._commands import pg_ctl

    server = suite.engines.postgres
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user,
           timeout=60)


def postgres_start(suite: Suite) -> None:
    """Started again on the same socket directory (crash recovery after a kill)."""
    server = suite.engines.postgres
    with server._lock:
        server.ensure_postgres_running()


# NATS -----------------------------------------------------------------------------------------

def nats_kill9(suite: Suite) -> None:
    process = suite.engines.nats.process
    process.kill()
    process.wait(10)


def nats_stop(suite: Suite) -> None:
    suite.engines.nats.stop()


async def nats_start(suite: Suite) -> None:
    data_dir = suite.data_dir
    suite.engines.nats = await start_nats(data_dir / "nats", suite.nats_port,
                                          data_dir / "nats.log")


# Events ---------------------------------------------------------------------------------------

async def publish_poison(nats_url: str) -> list[str]:
    """Malformed envelopes on a subject the activity feed consumes (labs.time.v1.>): bytes that
    are no protobuf, and an envelope whose org_id is no UUID."""
    import nats

    from labs.events.v1 import envelope_pb2

    connection = await nats.connect(nats_url, connect_timeout=5, max_reconnect_attempts=2)
    try:
        js = connection.jetstream()
        bad_org = envelope_pb2.Envelope(id=str(uuid.uuid4()), type="drill.poisoned",
                                        source="time", org_id="not-a-uuid")
        bad_actor = envelope_pb2.Envelope(id=str(uuid.uuid4()), type="drill.poisoned",
                                          source="time", org_id=str(uuid.uuid4()),
                                          actor_id="nobody")
        sent = []
        for data in (b"\xff\x00 not a protobuf \xff", bad_org.SerializeToString(),
                     bad_actor.SerializeToString()):
            msg_id = str(uuid.uuid4())
            await js.publish("labs.time.v1.drill.poisoned", data, headers={"Nats-Msg-Id": msg_id},
                             timeout=5)
            sent.append(msg_id)
        return sent
    finally:
        await connection.close()


async def insert_oversized_outbox_row(checker, org_id: str, size: int = 1_200_000) -> str:
    """An event larger than NATS's max_payload (1 MB) committed straight into identity's outbox,
    as a service bug or a too-generous limit would: the relay must survive it and keep going."""
    from google.protobuf import any_pb2

    from labs.events.v1 import envelope_pb2

    event_id = str(uuid.uuid4())
    envelope = envelope_pb2.Envelope(
        id=event_id, type="drill.oversized", source="identity", org_id=org_id,
        payload=any_pb2.Any(type_url="type.googleapis.com/labs.drill.Oversized",
                            value=b"x" * size),
    )
    async with checker.db("identity") as db:
        await db.execute(
            "INSERT INTO outbox (id, subject, type, org_id, envelope) VALUES ($1, $2, $3, $4, $5)",
            uuid.UUID(event_id), "labs.identity.v1.drill.oversized", "drill.oversized",
            uuid.UUID(org_id), envelope.SerializeToString())
    return event_id


async def sleep_until(deadline: float) -> None:
    await asyncio.sleep(max(deadline - time.monotonic(), 0))
