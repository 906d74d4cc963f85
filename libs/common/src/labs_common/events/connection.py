"""The one way a process connects to NATS: reconnecting forever, with the credentials the
deployment gives it (LABS_NATS_CREDENTIALS_FILE: a .creds file of a user JWT and its nkey seed,
or a bare nkey seed file; empty, none).

`connect` waits until NATS answers (the gateway). `connect_in_background` answers at once with a
client that connects when NATS is there, so a service started during an outage serves meanwhile;
until then its outbox keeps what it has to publish.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import structlog
from nats.aio.client import Client

from labs_common.config import BaseLabsSettings

log = structlog.get_logger(__name__)

# Between two attempts to reach a server; nats-py tries forever (max_reconnect_attempts=-1),
# also on the first connect.
RECONNECT_WAIT_SECONDS = 2


def credentials(path: str) -> dict[str, str]:
    """The connect options that authenticate with the file at `path` (none when empty)."""
    if not path:
        return {}
    if "BEGIN NATS USER JWT" in Path(path).read_text():
        return {"user_credentials": path}
    return {"nkeys_seed": path}


def connect_options(settings: BaseLabsSettings, name: str,
                    on_trouble: Callable[[], None] | None = None) -> dict:
    """`on_trouble()` is told whenever messages may have been missed: the connection lost or
    back, or an error (a slow consumer's dropped message among them)."""

    def trouble() -> None:
        if on_trouble is not None:
            on_trouble()

    async def disconnected() -> None:
        trouble()
        log.warning("nats.disconnected", name=name)

    async def reconnected() -> None:
        trouble()
        log.info("nats.reconnected", name=name)

    async def error(exception: Exception) -> None:
        trouble()
        log.warning("nats.error", name=name, error=repr(exception))

    return {
        "servers": [url.strip() for url in settings.nats_url.split(",")],
        "name": name,
        "max_reconnect_attempts": -1,
        "reconnect_time_wait": RECONNECT_WAIT_SECONDS,
        "disconnected_cb": disconnected,
        "reconnected_cb": reconnected,
        "error_cb": error,
        **credentials(settings.nats_credentials_file),
    }


async def connect(settings: BaseLabsSettings, name: str,
                  on_trouble: Callable[[], None] | None = None) -> Client:
    """A client connected to NATS (waits, retrying, as long as NATS is away)."""
    client = Client()
    await client.connect(**connect_options(settings, name, on_trouble))
    return client


def connect_in_background(settings: BaseLabsSettings, name: str) -> tuple[Client, asyncio.Task]:
    """A client, and the task that connects it (done once connected)."""
    client = Client()

    async def connecting() -> None:
        await client.connect(**connect_options(settings, name))
        log.info("nats.connected", name=name)

    return client, asyncio.create_task(connecting(), name=f"{name}.nats-connect")
