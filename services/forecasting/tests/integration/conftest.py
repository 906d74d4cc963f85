"""Identity (for tokens) and forecasting, each running in this process on real PostgreSQL and
NATS with its own database, once per session, with forecasting's consumers running. The owners
of what forecasting hears (projects, time, capacity) are not started: the tests publish their
envelopes on their streams themselves, as those services' relays would.

They get a NATS server of their own: forecasting's durable consumers would otherwise share (and
so split) the events of the suite that the end-to-end tests run on the same server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import grpc
import nats
import pytest

from labs.forecasting.v1 import forecasting_service_pb2_grpc as pb_grpc
from labs.identity.v1 import identity_service_pb2_grpc as identity_grpc
from labs_common.events.streams import ensure_stream
from labs_common.service import RunningService, start
from labs_common.testing.infrastructure import free_port, start_nats
from labs_forecasting.config import Settings
from labs_forecasting.main import DEFINITION
from labs_identity.config import Settings as IdentitySettings
from labs_identity.main import DEFINITION as IDENTITY

OWNERS = ("projects", "time", "capacity", "billing")


def _common(postgres_url: str, nats_url: str, name: str) -> dict:
    return {
        "database_url": postgres_url,
        "database_name": f"labs_{name}_forecasting_test_{uuid.uuid4().hex[:8]}",
        "nats_url": nats_url,
        "grpc_port": free_port(),
        "env": "test",
        "shutdown_grace_seconds": 0,
    }


@pytest.fixture(scope="session")
def forecasting_nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = start_nats(Path(tmp_path_factory.mktemp("forecasting_nats")))
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
async def forecasting_js(forecasting_nats_url: str):
    """JetStream on forecasting's NATS, with the owners' streams (their services would create
    them) so the tests can publish their events."""
    connection = await nats.connect(forecasting_nats_url)
    js = connection.jetstream()
    for owner in OWNERS:
        await ensure_stream(js, owner)
    yield js
    await connection.drain()


@pytest.fixture(scope="session")
async def forecasting_identity(
    postgres_url: str, forecasting_nats_url: str
) -> AsyncIterator[RunningService]:
    settings = IdentitySettings(**_common(postgres_url, forecasting_nats_url, "identity"))
    service = await start(IDENTITY, settings)
    yield service
    await service.stop()


@pytest.fixture(scope="session")
async def forecasting(
    postgres_url: str, forecasting_nats_url: str, forecasting_identity: RunningService,
    forecasting_js,
) -> AsyncIterator[RunningService]:
    settings = Settings(
        **_common(postgres_url, forecasting_nats_url, "forecasting"),
        identity_addr=forecasting_identity.address,
    )
    service = await start(DEFINITION, settings)
    yield service
    await service.stop()


@pytest.fixture(scope="session")
async def identity_stub(forecasting_identity: RunningService):
    async with grpc.aio.insecure_channel(forecasting_identity.address) as channel:
        yield identity_grpc.IdentityServiceStub(channel)


@pytest.fixture(scope="session")
async def stub(forecasting: RunningService) -> AsyncIterator[pb_grpc.ForecastingServiceStub]:
    async with grpc.aio.insecure_channel(forecasting.address) as channel:
        yield pb_grpc.ForecastingServiceStub(channel)
