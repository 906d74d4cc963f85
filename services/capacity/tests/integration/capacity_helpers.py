"""Helpers shared by capacity's integration tests (a module, so tests can import it)."""

from __future__ import annotations

import uuid

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs.identity.v1 import identity_service_pb2 as identity_pb

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
