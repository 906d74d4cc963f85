"""Identity and projects running in this process on real PostgreSQL and NATS, once per session:
projects verifies tokens against identity's keys and asks identity about members.

They get a NATS of their own: the activity feed's durable consumers are named like the ones of
the end-to-end suite's projects service, and on a shared NATS the two would split each other's
events between their two databases.

File contents are tested on both storage backends: the local directory, and an S3-compatible
bucket on moto's S3 server running in this process (a second projects service, with its own
database and NATS, stores its files there)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import boto3
import grpc
import nats
import pytest
from moto.server import ThreadedMotoServer

from labs.identity.v1 import identity_service_pb2_grpc as identity_grpc
from labs.projects.v1 import projects_service_pb2_grpc as pb_grpc
from labs_common.service import RunningService, start
from labs_common.testing.infrastructure import free_port, start_nats
from labs_identity.config import Settings as IdentitySettings
from labs_identity.main import DEFINITION as IDENTITY
from labs_projects.config import Settings
from labs_projects.main import DEFINITION

FILE_LIMIT = 64 * 1024
ORG_QUOTA = 160 * 1024


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory) -> Iterator[str]:
    server = start_nats(tmp_path_factory.mktemp("projects-nats"))
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
async def identity_service(postgres_url: str, nats_url: str) -> AsyncIterator[RunningService]:
    settings = IdentitySettings(
        database_url=postgres_url,
        database_name=f"labs_identity_ptest_{uuid.uuid4().hex[:8]}",
        nats_url=nats_url,
        grpc_port=free_port(),
        env="test",
        shutdown_grace_seconds=0,
    )
    service = await start(IDENTITY, settings)
    yield service
    await service.stop()


@pytest.fixture(scope="session")
async def projects_service(
    postgres_url: str, nats_url: str, identity_service: RunningService, tmp_path_factory
) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=postgres_url,
        database_name=f"labs_projects_test_{uuid.uuid4().hex[:8]}",
        nats_url=nats_url,
        grpc_port=free_port(),
        identity_addr=identity_service.address,
        env="test",
        shutdown_grace_seconds=0,
        outbox_poll_seconds=0.2,
        object_storage_dir=tmp_path_factory.mktemp("objects"),
        # Small, so tests can reach them with a few kilobytes.
        max_file_bytes=FILE_LIMIT,
        org_storage_quota_bytes=ORG_QUOTA,
    )
    service = await start(DEFINITION, settings)
    yield service
    await service.stop()


@dataclass(frozen=True)
class S3Bucket:
    endpoint_url: str
    name: str
    region: str = "us-east-1"
    access_key_id: str = "test-key"
    secret_access_key: str = "test-secret"

    def client(self):
        return boto3.client("s3", endpoint_url=self.endpoint_url, region_name=self.region,
                            aws_access_key_id=self.access_key_id,
                            aws_secret_access_key=self.secret_access_key)

    def leftovers(self, prefix: str) -> list[str]:
        """Objects and unfinished multipart uploads under `prefix`: what a user would pay for."""
        s3 = self.client()
        objects = s3.list_objects_v2(Bucket=self.name, Prefix=prefix).get("Contents", [])
        uploads = s3.list_multipart_uploads(Bucket=self.name, Prefix=prefix).get("Uploads", [])
        return sorted([o["Key"] for o in objects] + [f"(unfinished) {u['Key']}" for u in uploads])


@pytest.fixture(scope="session")
def s3_bucket() -> Iterator[S3Bucket]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    bucket = S3Bucket(endpoint_url=f"http://127.0.0.1:{port}", name="labs-projects-test")
    bucket.client().create_bucket(Bucket=bucket.name)
    yield bucket
    server.stop()


@pytest.fixture(scope="session")
async def s3_projects_service(
    postgres_url: str, identity_service: RunningService, s3_bucket: S3Bucket, tmp_path_factory
) -> AsyncIterator[RunningService]:
    nats_server = start_nats(tmp_path_factory.mktemp("projects-s3-nats"))
    settings = Settings(
        database_url=postgres_url,
        database_name=f"labs_projects_s3test_{uuid.uuid4().hex[:8]}",
        nats_url=nats_server.url,
        grpc_port=free_port(),
        identity_addr=identity_service.address,
        env="test",
        shutdown_grace_seconds=0,
        outbox_poll_seconds=0.2,
        s3_bucket=s3_bucket.name,
        s3_endpoint_url=s3_bucket.endpoint_url,
        s3_region=s3_bucket.region,
        s3_access_key_id=s3_bucket.access_key_id,
        s3_secret_access_key=s3_bucket.secret_access_key,
        max_file_bytes=FILE_LIMIT,
        org_storage_quota_bytes=ORG_QUOTA,
    )
    service = await start(DEFINITION, settings)
    yield service
    await service.stop()
    nats_server.stop()


@pytest.fixture(scope="session")
async def identity_stub(identity_service) -> AsyncIterator[identity_grpc.IdentityServiceStub]:
    async with grpc.aio.insecure_channel(identity_service.address) as channel:
        yield identity_grpc.IdentityServiceStub(channel)


@pytest.fixture(scope="session")
async def projects(projects_service) -> AsyncIterator[pb_grpc.ProjectsServiceStub]:
    async with grpc.aio.insecure_channel(projects_service.address) as channel:
        yield pb_grpc.ProjectsServiceStub(channel)


@pytest.fixture(scope="session")
async def projects_js(nats_url: str):
    connection = await nats.connect(nats_url)
    yield connection.jetstream()
    await connection.drain()
