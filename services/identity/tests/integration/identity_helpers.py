"""Helpers shared by identity's integration tests (a module, so tests can import it)."""

from __future__ import annotations

import uuid

from labs.identity.v1 import identity_service_pb2 as pb

PASSWORD = "correct horse battery"
# What the session's identity accepts as a service credential (IssueDelegatedToken).
DELEGATION_SECRET = "test-delegation-secret"


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


async def signup(stub, email: str | None = None, org: str = "Acme") -> pb.Session:
    response = await stub.Signup(
        pb.SignupRequest(
            email=email or f"owner-{uuid.uuid4().hex[:8]}@example.com",
            password=PASSWORD,
            organization_name=org,
            first_name="Olive",
            last_name="Owner",
        )
    )
    return response.session


async def invite_and_join(stub, owner: pb.Session, role: int, client_id: str = "") -> pb.Session:
    email = f"person-{uuid.uuid4().hex[:8]}@example.com"
    invited = await stub.CreateInvitation(
        pb.CreateInvitationRequest(email=email, role=role, client_id=client_id),
        metadata=bearer(owner.access_token),
    )
    joined = await stub.AcceptInvitation(
        pb.AcceptInvitationRequest(token=invited.token, password=PASSWORD, first_name="Pat")
    )
    return joined.session
