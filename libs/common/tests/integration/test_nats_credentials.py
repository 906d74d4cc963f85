"""A process authenticates to a NATS that requires it with the nkey LABS_NATS_CREDENTIALS_FILE
names (the deployment gives each service its own)."""

from __future__ import annotations

import asyncio
import os
import subprocess

import nkeys
import pytest

from labs_common.config import BaseLabsSettings
from labs_common.events.connection import connect
from labs_common.testing.infrastructure import free_port, nats_server_binary

pytestmark = pytest.mark.integration


@pytest.fixture
def nkey_nats(tmp_path):
    """A NATS that lets in only the holder of one user nkey: (its url, the seed file)."""
    seed = nkeys.encode_seed(os.urandom(32), nkeys.PREFIX_BYTE_USER)
    user = nkeys.from_seed(bytearray(seed)).public_key.decode()
    port = free_port()
    config = tmp_path / "nats.conf"
    config.write_text(f'authorization {{ users = [ {{ nkey: "{user}" }} ] }}\n')
    seed_file = tmp_path / "time.nk"
    seed_file.write_bytes(seed + b"\n")
    server = subprocess.Popen(
        [nats_server_binary(), "-a", "127.0.0.1", "-p", str(port), "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield f"nats://127.0.0.1:{port}", seed_file
    server.terminate()
    server.wait(5)


async def test_a_seed_file_authenticates_to_a_nats_that_requires_an_nkey(nkey_nats, monkeypatch):
    url, seed_file = nkey_nats
    monkeypatch.setenv("LABS_NATS_CREDENTIALS_FILE", str(seed_file))
    connection = await asyncio.wait_for(connect(BaseLabsSettings(nats_url=url), "t"), timeout=15)
    try:
        reply = await connection.subscribe("labs.check")
        await connection.publish("labs.check", b"signed in")
        assert (await reply.next_msg(timeout=5)).data == b"signed in"
    finally:
        await connection.close()
