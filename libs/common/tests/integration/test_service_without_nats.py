"""A service does not need NATS to serve: started during an outage it is ready at once, and its
events wait in the outbox until NATS is there."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
import uuid

import grpc
import nats
import pytest
from google.protobuf import wrappers_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from nats.js.api import StreamConfig

from labs_common.config import ServiceSettings
from labs_common.db.uow import Scope, UnitOfWork
from labs_common.service import ServiceDefinition, start
from labs_common.testing.infrastructure import free_port, nats_server_binary, start_nats

from .test_outbox_relay import stream_messages

pytestmark = pytest.mark.integration


async def health_of(address: str) -> int:
    async with grpc.aio.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        return (await stub.Check(health_pb2.HealthCheckRequest(), timeout=2)).status


def settings_for(postgres_url, engine, nats_port: int) -> ServiceSettings:
    return ServiceSettings(
        service_name="time",
        database_url=postgres_url,
        database_name=engine.url.database,
        nats_url=f"nats://127.0.0.1:{nats_port}",
        migrate_on_start=False,
        grpc_port=free_port(),
        outbox_poll_seconds=0.2,
    )


def definition_in(tmp_path) -> ServiceDefinition:
    return ServiceDefinition(
        settings_class=ServiceSettings, registrations=lambda _runtime: [], migrations=tmp_path
    )


async def test_a_service_started_while_nats_is_down_serves_and_publishes_once_it_is_back(
    postgres_url, engine, sessions, tmp_path
):
    nats_port = free_port()
    settings = settings_for(postgres_url, engine, nats_port)
    definition = definition_in(tmp_path)
    started = time.monotonic()
    service = await asyncio.wait_for(start(definition, settings), timeout=20)
    server = None
    try:
        assert time.monotonic() - started < 10
        address = service.address
        deadline = time.monotonic() + 10
        while await health_of(address) != health_pb2.HealthCheckResponse.SERVING:
            assert time.monotonic() < deadline, "not ready without NATS"
            await asyncio.sleep(0.05)

        org = uuid.uuid4()
        async with UnitOfWork(sessions, "time", Scope(org_id=org)) as uow:
            envelope = await uow.outbox.add("entry.created", wrappers_pb2.StringValue(value="x"))
            await uow.commit()

        server = start_nats(tmp_path / "nats", nats_port)
        connection = await nats.connect(server.url)
        try:
            js = connection.jetstream()
            deadline = time.monotonic() + 30
            while True:  # the service creates its stream once it reaches NATS
                try:
                    await js.stream_info("LABS_TIME")
                    break
                except nats.js.errors.NotFoundError:
                    assert time.monotonic() < deadline, "the service never reached NATS"
                    await asyncio.sleep(0.1)
            messages = await stream_messages(js, org, 1, timeout=20)
            assert messages[0].headers["Nats-Msg-Id"] == envelope.id
            assert await health_of(address) == health_pb2.HealthCheckResponse.SERVING
            assert not any(task.done() for task in service.background)
        finally:
            await connection.close()
    finally:
        await service.stop()
        if server is not None:
            server.stop()


async def test_a_service_that_never_reached_nats_still_stops_promptly(
    postgres_url, engine, tmp_path
):
    settings = settings_for(postgres_url, engine, free_port())
    service = await start(definition_in(tmp_path), settings)
    started = time.monotonic()
    await asyncio.wait_for(service.stop(), timeout=15)
    assert time.monotonic() - started < 8


@pytest.fixture
def small_nats(tmp_path):
    """A NATS with less disk for JetStream than the streams' max_bytes ask for."""
    port = free_port()
    config = tmp_path / "small.conf"
    config.write_text(f'jetstream {{ store_dir: "{tmp_path / "js"}", max_file_store: 64MB }}\n')
    server = subprocess.Popen(
        [nats_server_binary(), "-a", "127.0.0.1", "-p", str(port), "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "nats-server did not start"
            time.sleep(0.05)
    yield port
    server.terminate()
    server.wait(5)


async def test_a_stream_nats_cannot_enlarge_is_used_as_it_is(
    postgres_url, engine, sessions, tmp_path, small_nats
):
    connection = await nats.connect(f"nats://127.0.0.1:{small_nats}")
    js = connection.jetstream()
    # As an earlier release made it: no max_bytes, which this server could not reserve.
    await js.add_stream(StreamConfig(name="LABS_TIME", subjects=["labs.time.>"]))
    service = await start(definition_in(tmp_path), settings_for(postgres_url, engine, small_nats))
    try:
        org = uuid.uuid4()
        async with UnitOfWork(sessions, "time", Scope(org_id=org)) as uow:
            envelope = await uow.outbox.add("entry.created", wrappers_pb2.StringValue(value="x"))
            await uow.commit()
        messages = await stream_messages(js, org, 1, timeout=20)
        assert messages[0].headers["Nats-Msg-Id"] == envelope.id
        assert not any(task.done() for task in service.background)
    finally:
        await service.stop()
        await connection.close()
