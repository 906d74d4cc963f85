"""Helpers of the time service's integration tests: sign up an org, add people, projects and
rates through the real services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import grpc
import pytest

from labs.capacity.v1 import capacity_service_pb2 as capacity_pb
from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.projects.v1 import projects_service_pb2 as projects_pb

PASSWORD = "correct horse battery"


@dataclass
class Clients:
    identity: object
    projects: object
    capacity: object
    time: object
    time_engine: object


@dataclass
class Person:
    user_id: str
    token: str
    email: str
    org_id: str = ""

    @property
    def auth(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.token}"),)


async def signup(clients: Clients, settings: dict | None = None) -> Person:
    email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    session = (await clients.identity.Signup(identity_pb.SignupRequest(
        email=email, password=PASSWORD, organization_name="Studio",
        first_name="Olive", last_name="Owner"))).session
    owner = Person(session.user.id, session.access_token, email, session.organization.id)
    if settings:
        org = identity_pb.Organization()
        org.settings.update(settings)
        await clients.identity.UpdateOrganization(identity_pb.UpdateOrganizationRequest(
            organization=org, update_mask={"paths": ["settings"]}), metadata=owner.auth)
    return owner


async def join(clients: Clients, owner: Person, role: str, first_name: str = "Pat",
               last_name: str = "Doe") -> Person:
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    invited = await clients.identity.CreateInvitation(identity_pb.CreateInvitationRequest(
        email=email, role=identity_pb.Role.Value(f"ROLE_{role.upper()}")), metadata=owner.auth)
    session = (await clients.identity.AcceptInvitation(identity_pb.AcceptInvitationRequest(
        token=invited.token, password=PASSWORD, first_name=first_name,
        last_name=last_name))).session
    return Person(session.user.id, session.access_token, email, session.organization.id)


async def project(clients: Clients, owner: Person, name: str = "Website",
                  override: str = "", currency: str = "USD") -> str:
    created = await clients.projects.CreateProject(projects_pb.CreateProjectRequest(
        project=projects_pb.Project(
            name=f"{name} {uuid.uuid4().hex[:6]}", status=projects_pb.PROJECT_STATUS_ACTIVE,
            budget_currency=currency, billing_rate_override=override)),
        metadata=owner.auth)
    return created.project.id


async def resource(clients: Clients, owner: Person, person: Person, billing: str, cost: str,
                   currency: str = "USD") -> str:
    created = await clients.capacity.CreateResource(capacity_pb.CreateResourceRequest(
        resource=capacity_pb.Resource(
            name=person.email, email=person.email, user_id=person.user_id,
            seniority_level=capacity_pb.SeniorityLevel.Value("SENIORITY_LEVEL_MID"),
            billing_rate=billing, cost_rate=cost, currency=currency)),
        metadata=owner.auth)
    return created.resource.id


async def rejected(call) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await call
    return error.value


def field_of(error: grpc.aio.AioRpcError) -> str:
    """The first field a validation error names (from its google.rpc.BadRequest detail)."""
    from labs_common.errors import from_rpc_error

    return from_rpc_error(error).field_errors[0].field


async def upload(clients: Clients, person: Person, data: bytes, create_missing: bool = False,
                 chunk_size: int = 64 * 1024) -> str:
    """Create, fill and start an import job the way the gateway does; answers its id."""
    from labs.time.v1 import time_service_pb2 as pb

    job_id = (await clients.time.CreateImport(pb.CreateImportRequest(
        create_missing=create_missing), metadata=person.auth)).job_id
    for seq, start in enumerate(range(0, len(data), chunk_size), start=1):
        await clients.time.AppendImportChunk(pb.AppendImportChunkRequest(
            job_id=job_id, seq=seq, chunk=data[start:start + chunk_size]), metadata=person.auth)
    await clients.time.StartImport(pb.StartImportRequest(job_id=job_id), metadata=person.auth)
    return job_id


async def finished_job(clients: Clients, person: Person, job_id: str, timeout: float = 60.0,
                       seen: list | None = None):
    """Poll the job until it ends (or fail at the deadline); `seen` collects `processed`."""
    import asyncio
    import time

    from labs.time.v1 import time_service_pb2 as pb

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = (await clients.time.GetImportJob(pb.GetImportJobRequest(id=job_id),
                                               metadata=person.auth)).job
        if seen is not None:
            seen.append((job.status, job.processed))
        if job.status in ("succeeded", "failed"):
            return job
        await asyncio.sleep(0.02)
    raise AssertionError(f"import job {job_id} did not finish in {timeout} s")


async def eventually(probe, what: str, timeout: float = 30.0):
    """The first truthy answer of the coroutine function `probe`, polled until the deadline."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while True:
        if found := await probe():
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not before the deadline: {what}")
        await asyncio.sleep(0.02)


def time_uow(clients: Clients, person: Person):
    """A unit of work on time's own database in `person`'s org, as time's consumers open one
    (the org, no caller): to read or set its read models."""
    from labs_common.db.engine import sessionmaker
    from labs_common.db.uow import Scope
    from labs_time.service_layer.unit_of_work import TimeUnitOfWork

    return TimeUnitOfWork(sessionmaker(clients.time_engine), "time",
                          Scope(org_id=uuid.UUID(person.org_id)))


async def known_project(clients: Clients, person: Person, project_id: str):
    """What time's read model holds of the project (None: not heard of)."""
    async with time_uow(clients, person) as uow:
        return await uow.known_projects.get(uuid.UUID(project_id))
