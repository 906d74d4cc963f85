"""The identity service running in this process on real PostgreSQL and NATS, once per session."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import grpc
import nats
import pytest
from identity_helpers import DELEGATION_SECRET

from labs.identity.v1 import identity_service_pb2_grpc as pb_grpc
from labs_common.service import RunningService, start
from labs_common.testing.infrastructure import free_port
from labs_identity.config import Settings
from labs_identity.main import DEFINITION


@pytest.fixture(scope="session")
async def identity(postgres_url: str, nats_url: str, smtp_sink) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=postgres_url,
        database_name=f"labs_identity_test_{uuid.uuid4().hex[:8]}",
        nats_url=nats_url,
        grpc_port=free_port(),
        env="test",
        shutdown_grace_seconds=0,
        smtp_url=smtp_sink.url,
        delegation_secret=DELEGATION_SECRET,
    )
    service = await start(DEFINITION, settings)
    yield service
    await service.stop()


@pytest.fixture(scope="session")
async def stub(identity: RunningService) -> AsyncIterator[pb_grpc.IdentityServiceStub]:
    async with grpc.aio.insecure_channel(identity.address) as channel:
        yield pb_grpc.IdentityServiceStub(channel)


@pytest.fixture(scope="session")
async def js(nats_url: str):
    connection = await nats.connect(nats_url)
    yield connection.jetstream()
    await connection.drain()
