"""Helpers shared by capacity's integration tests (a module, so tests can import it)."""

from __future__ import annotations

import time
import uuid

import grpc
import pytest

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs.events.v1 import envelope_pb2
from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs_common.errors import LabsError, from_rpc_error

PASSWORD = "correct horse battery"


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


async def signup(identity_stub) -> identity_pb.Session:
    response = await identity_stub.Signup(
        identity_pb.SignupRequest(
            email=f"owner-{uuid.uuid4().hex[:8]}@example.com",
            password=PASSWORD,
            organization_name="Agency",
        )
    )
    return response.session


async def join_as(identity_stub, owner: identity_pb.Session, role: int,
                  client_id: str = "") -> identity_pb.Session:
    invited = await identity_stub.CreateInvitation(
        identity_pb.CreateInvitationRequest(
            email=f"person-{uuid.uuid4().hex[:8]}@example.com", role=role, client_id=client_id
        ),
        metadata=bearer(owner.access_token),
    )
    joined = await identity_stub.AcceptInvitation(
        identity_pb.AcceptInvitationRequest(token=invited.token, password=PASSWORD)
    )
    return joined.session


async def create_resource(stub, session, rates_effective_from: str = "", **fields) -> pb.Resource:
    values = {
        "name": f"Person {uuid.uuid4().hex[:6]}",
        "seniority_level": pb.SENIORITY_LEVEL_MID,
        "billing_rate": "150.00",
        "cost_rate": "60.00",
        "currency": "USD",
    }
    values.update(fields)
    response = await stub.CreateResource(
        pb.CreateResourceRequest(
            resource=pb.Resource(**values), rates_effective_from=rates_effective_from
        ),
        metadata=bearer(session.access_token),
    )
    return response.resource


async def create_project(projects_stub, session, **fields) -> projects_pb.Project:
    fields.setdefault("name", f"Website {uuid.uuid4().hex[:6]}")
    created = await projects_stub.CreateProject(
        projects_pb.CreateProjectRequest(project=projects_pb.Project(**fields)),
        metadata=bearer(session.access_token),
    )
    return created.project


async def allocate(stub, session, resource_id: str, project_id: str, hours: str, start: str,
                   end: str, tentative: bool = False) -> pb.Allocation:
    created = await stub.CreateAllocation(
        pb.CreateAllocationRequest(
            allocation=pb.Allocation(
                resource_id=resource_id, project_id=project_id, allocated_hours=hours,
                start_date=start, end_date=end, tentative=tentative,
            )
        ),
        metadata=bearer(session.access_token),
    )
    return created.allocation


async def rpc_error(call) -> LabsError:
    """The LabsError a call fails with (the test fails if it succeeds)."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return from_rpc_error(caught.value)


async def events_of(subscription, event_type: str, count: int = 1, timeout: float = 10.0):
    """The next `count` envelopes of `event_type` on a NATS subscription, with a deadline."""
    found = []
    deadline = time.monotonic() + timeout
    while len(found) < count and (left := deadline - time.monotonic()) > 0:
        try:
            message = await subscription.next_msg(timeout=left)
        except TimeoutError:
            break
        envelope = envelope_pb2.Envelope.FromString(message.data)
        if envelope.type == event_type:
            found.append(envelope)
    if len(found) < count:
        raise AssertionError(f"{len(found)} {event_type} events within {timeout}s, not {count}")
    return found


async def collect_until(subscription, event_type: str, timeout: float = 10.0):
    """Every envelope received up to and including the first of `event_type`, with a deadline."""
    seen = []
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = await subscription.next_msg(timeout=left)
        except TimeoutError:
            break
        seen.append(envelope_pb2.Envelope.FromString(message.data))
        if seen[-1].type == event_type:
            return seen
    raise AssertionError(f"no {event_type} within {timeout}s; saw {[e.type for e in seen]}")
