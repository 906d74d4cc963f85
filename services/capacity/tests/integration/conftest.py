"""Identity (for tokens), projects (for allocations' projects) and capacity, each running in this
process on real PostgreSQL and NATS with its own database, once per session.

They get a NATS server of their own: the projects service's durable consumers would otherwise
share (and so split) the events of the suite that the end-to-end tests run on the same server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import grpc
import pytest

from labs.capacity.v1 import capacity_service_pb2_grpc as pb_grpc
from labs.identity.v1 import identity_service_pb2_grpc as identity_grpc
from labs.projects.v1 import projects_service_pb2_grpc as projects_grpc
from labs_capacity.config import Settings
from labs_capacity.main import DEFINITION
from labs_common.service import RunningService, start
from labs_common.testing.infrastructure import free_port, start_nats
from labs_identity.config import Settings as IdentitySettings
from labs_identity.main import DEFINITION as IDENTITY
from labs_projects.config import Settings as ProjectsSettings
from labs_projects.main import DEFINITION as PROJECTS


def _common(postgres_url: str, nats_url: str, name: str) -> dict:
    return {
        "database_url": postgres_url,
        "database_name": f"labs_{name}_capacity_test_{uuid.uuid4().hex[:8]}",
        "nats_url": nats_url,
        "grpc_port": free_port(),
        "env": "test",
        "shutdown_grace_seconds": 0,
    }


@pytest.fixture(scope="session")
def capacity_nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = start_nats(Path(tmp_path_factory.mktemp("capacity_nats")))
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
async def capacity_identity(
    postgres_url: str, capacity_nats_url: str
) -> AsyncIterator[RunningService]:
    settings = IdentitySettings(**_common(postgres_url, capacity_nats_url, "identity"))
    service = await start(IDENTITY, settings)
    yield service
    await service.stop()


@pytest.fixture(scope="session")
async def capacity_projects(
    postgres_url: str, capacity_nats_url: str, capacity_identity: RunningService
) -> AsyncIterator[RunningService]:
    settings = ProjectsSettings(
        **_common(postgres_url, capacity_nats_url, "projects"),
        identity_addr=capacity_identity.address,
    )
    service = await start(PROJECTS, settings)
    yield service
    await service.stop()


@pytest.fixture(scope="session")
async def capacity(
    postgres_url: str,
    capacity_nats_url: str,
    capacity_identity: RunningService,
    capacity_projects: RunningService,
) -> AsyncIterator[RunningService]:
    settings = Settings(
        **_common(postgres_url, capacity_nats_url, "capacity"),
        identity_addr=capacity_identity.address,
        projects_addr=capacity_projects.address,
    )
    service = await start(DEFINITION, settings)
    yield service
    await service.stop()


@pytest.fixture(scope="session")
async def identity_stub(capacity_identity: RunningService):
    async with grpc.aio.insecure_channel(capacity_identity.address) as channel:
        yield identity_grpc.IdentityServiceStub(channel)


@pytest.fixture(scope="session")
async def projects_stub(capacity_projects: RunningService):
    async with grpc.aio.insecure_channel(capacity_projects.address) as channel:
        yield projects_grpc.ProjectsServiceStub(channel)


@pytest.fixture(scope="session")
async def stub(capacity: RunningService) -> AsyncIterator[pb_grpc.CapacityServiceStub]:
    async with grpc.aio.insecure_channel(capacity.address) as channel:
        yield pb_grpc.CapacityServiceStub(channel)
