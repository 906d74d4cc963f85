"""The identity service running in this process on real PostgreSQL and NATS, once per session."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import grpc
import nats
import pytest
from labs.identity.v1 import identity_service_pb2 as pb
from labs.identity.v1 import identity_service_pb2_grpc as pb_grpc

from labs_common.service import RunningService, start
from labs_common.testing.infrastructure import free_port
from labs_identity.config import Settings
from labs_identity.main import DEFINITION

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
async def identity(postgres_url: str, nats_url: str) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=postgres_url, database_name=f"labs_identity_test_{uuid.uuid4().hex[:8]}",
        nats_url=nats_url, grpc_port=free_port(), env="test", shutdown_grace_seconds=0,
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


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


async def signup(stub, email: str | None = None, org: str = "Acme") -> pb.Session:
    response = await stub.Signup(pb.SignupRequest(
        email=email or f"owner-{uuid.uuid4().hex[:8]}@example.com", password=PASSWORD,
        organization_name=org, first_name="Olive", last_name="Owner"))
    return response.session


async def invite_and_join(stub, owner: pb.Session, role: int, client_id: str = "") -> pb.Session:
    email = f"person-{uuid.uuid4().hex[:8]}@example.com"
    invited = await stub.CreateInvitation(
        pb.CreateInvitationRequest(email=email, role=role, client_id=client_id),
        metadata=bearer(owner.access_token))
    joined = await stub.AcceptInvitation(pb.AcceptInvitationRequest(
        token=invited.token, password=PASSWORD, first_name="Pat"))
    return joined.session
