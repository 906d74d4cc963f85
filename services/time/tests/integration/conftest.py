"""Identity, projects, capacity and time running in this process on real PostgreSQL and NATS,
once per session, each with its own database; time reaches the others over real gRPC.

They get a NATS server of their own (`time_nats_url`): time's durable consumers of billing's
invoice events would otherwise share (and so split) the events of whatever else in the session
runs a time service on the same server."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import grpc
import pytest
from time_helpers import Clients

from labs.capacity.v1 import capacity_service_pb2_grpc as capacity_grpc
from labs.identity.v1 import identity_service_pb2_grpc as identity_grpc
from labs.projects.v1 import projects_service_pb2_grpc as projects_grpc
from labs.time.v1 import time_service_pb2_grpc as time_grpc
from labs_capacity.config import Settings as CapacitySettings
from labs_capacity.main import DEFINITION as CAPACITY
from labs_common.service import RunningService, start
from labs_common.testing.infrastructure import free_port, start_nats
from labs_identity.config import Settings as IdentitySettings
from labs_identity.main import DEFINITION as IDENTITY
from labs_projects.config import Settings as ProjectsSettings
from labs_projects.main import DEFINITION as PROJECTS
from labs_time.config import Settings as TimeSettings
from labs_time.main import DEFINITION as TIME


def _quiet(definition):
    """The service without its event consumers: nothing here depends on what they feed (time's
    own consumers do run, on this suite's NATS)."""
    return dataclasses.replace(definition, subscriptions=lambda _runtime: ())


def _settings(cls, name: str, postgres_url: str, nats_url: str, **addresses):
    return cls(
        database_url=postgres_url,
        database_name=f"labs_{name}_timetest_{uuid.uuid4().hex[:8]}",
        nats_url=nats_url,
        grpc_port=free_port(),
        env="test",
        shutdown_grace_seconds=0,
        **addresses,
    )


@pytest.fixture(scope="session")
def time_nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = start_nats(Path(tmp_path_factory.mktemp("time_nats")))
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
async def suite(postgres_url: str, time_nats_url: str
                ) -> AsyncIterator[dict[str, RunningService]]:
    nats_url = time_nats_url
    identity = await start(_quiet(IDENTITY), _settings(IdentitySettings, "identity", postgres_url,
                                               nats_url))
    addresses = {"identity_addr": identity.address}
    projects = await start(_quiet(PROJECTS), _settings(ProjectsSettings, "projects", postgres_url,
                                               nats_url, **addresses))
    capacity = await start(_quiet(CAPACITY), _settings(CapacitySettings, "capacity", postgres_url,
                                               nats_url, **addresses))
    time = await start(TIME, _settings(
        TimeSettings, "time", postgres_url, nats_url, **addresses,
        projects_addr=projects.address, capacity_addr=capacity.address,
        import_batch_rows=500))
    running = {"identity": identity, "projects": projects, "capacity": capacity, "time": time}
    yield running
    for service in reversed(running.values()):
        await service.stop()


@pytest.fixture(scope="session")
async def clients(suite: dict[str, RunningService]) -> AsyncIterator[Clients]:
    channels = {name: grpc.aio.insecure_channel(s.address) for name, s in suite.items()}
    yield Clients(
        identity=identity_grpc.IdentityServiceStub(channels["identity"]),
        projects=projects_grpc.ProjectsServiceStub(channels["projects"]),
        capacity=capacity_grpc.CapacityServiceStub(channels["capacity"]),
        time=time_grpc.TimeServiceStub(channels["time"]),
        time_engine=suite["time"].runtime.engine,
    )
    for channel in channels.values():
        await channel.close()
