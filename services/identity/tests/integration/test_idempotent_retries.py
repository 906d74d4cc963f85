"""Idempotent retries through identity: an answer carrying secrets is replayed to its caller
only while the RPC would still let them in, and identity's table never holds the secrets."""

from __future__ import annotations

import uuid

import grpc
import pytest
from identity_helpers import PASSWORD, bearer, invite_and_join, signup
from sqlalchemy import text

from labs.identity.v1 import identity_service_pb2 as pb
from labs_common.db.uow import Scope

pytestmark = pytest.mark.integration


def with_key(token: str, key: str) -> tuple[tuple[str, str], ...]:
    return (*bearer(token), ("idempotency-key", key))


async def test_a_caller_who_lost_the_role_gets_403_not_the_first_answer(stub):
    owner = await signup(stub)
    admin = await invite_and_join(stub, owner, pb.ROLE_ADMIN)
    key = f"invite-{uuid.uuid4()}"
    request = pb.CreateInvitationRequest(
        email=f"{uuid.uuid4().hex[:8]}@example.com", role=pb.ROLE_MEMBER
    )
    first = await stub.CreateInvitation(request, metadata=with_key(admin.access_token, key))
    again = await stub.CreateInvitation(request, metadata=with_key(admin.access_token, key))
    assert again.token == first.token and again.invitation.id == first.invitation.id

    await stub.UpdateMember(
        pb.UpdateMemberRequest(user_id=admin.user.id, role=pb.ROLE_MEMBER),
        metadata=bearer(owner.access_token),
    )
    demoted = (
        await stub.Login(
            pb.LoginRequest(
                email=admin.user.email, password=PASSWORD, organization_id=owner.organization.id
            )
        )
    ).session
    assert demoted.role == pb.ROLE_MEMBER
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.CreateInvitation(request, metadata=with_key(demoted.access_token, key))
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert first.token not in caught.value.details()


async def test_stored_answers_hold_no_tokens_and_no_client_keys(stub, identity):
    key = f"signup-{uuid.uuid4()}"
    request = pb.SignupRequest(
        email=f"sealed-{uuid.uuid4().hex[:6]}@example.com",
        password=PASSWORD,
        organization_name="Sealed",
    )
    first = await stub.Signup(request, metadata=(("idempotency-key", key),))
    again = await stub.Signup(request, metadata=(("idempotency-key", key),))
    assert again == first
    owner = first.session
    made = await stub.CreateApiKey(
        pb.CreateApiKeyRequest(name="ci", role=pb.ROLE_MEMBER),
        metadata=with_key(owner.access_token, key),
    )
    async with identity.runtime.uow(Scope.of_system()) as uow:
        rows = (
            await uow.session.execute(
                text("SELECT key, fingerprint, response FROM idempotency_keys")
            )
        ).all()
    secrets = [owner.access_token, owner.refresh_token, made.secret]
    for row in rows:
        assert key not in row.key
        assert not any(secret.encode() in (row.response or b"") for secret in secrets)
