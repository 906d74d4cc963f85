"""What identity shows of the platform's promises: events on the stream, idempotent retries,
row-level security behind the query filter, rotatable signing keys, forged tokens refused."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from grpc_health.v1 import health_pb2, health_pb2_grpc
from identity_helpers import PASSWORD, bearer, signup
from sqlalchemy import text

from labs.events.v1 import envelope_pb2
from labs.identity.v1 import events_pb2
from labs.identity.v1 import identity_service_pb2 as pb
from labs_common.db.uow import Scope
from labs_common.errors import from_rpc_error

pytestmark = pytest.mark.integration


async def next_event(js, org_id: str, event_type: str, timeout: float = 10.0):
    subscription = await js.subscribe(
        f"labs.identity.v1.{org_id}.{event_type}", ordered_consumer=True
    )
    try:
        message = await subscription.next_msg(timeout=timeout)
        return message, envelope_pb2.Envelope.FromString(message.data)
    finally:
        await subscription.unsubscribe()


async def test_signup_publishes_organization_created_with_the_event_id_as_msg_id(stub, js):
    session = await signup(stub, org="Evented")
    message, envelope = await next_event(js, session.organization.id, "organization.created")
    assert message.headers["Nats-Msg-Id"] == envelope.id
    assert envelope.source == "identity" and envelope.org_id == session.organization.id
    assert envelope.actor_id == session.user.id
    payload = events_pb2.OrganizationCreated()
    assert envelope.payload.Unpack(payload)
    assert payload.organization.name == "Evented" and payload.owner_user_id == session.user.id


async def test_a_role_change_is_published_for_its_organization(stub, js):
    owner = await signup(stub)
    invited = await stub.CreateInvitation(
        pb.CreateInvitationRequest(
            email=f"{uuid.uuid4().hex[:6]}@example.com", role=pb.ROLE_MEMBER
        ),
        metadata=bearer(owner.access_token),
    )
    member = (
        await stub.AcceptInvitation(
            pb.AcceptInvitationRequest(token=invited.token, password=PASSWORD)
        )
    ).session
    await stub.UpdateMember(
        pb.UpdateMemberRequest(user_id=member.user.id, role=pb.ROLE_VIEWER),
        metadata=bearer(owner.access_token),
    )
    _, envelope = await next_event(js, owner.organization.id, "member.role_changed")
    changed = events_pb2.MemberRoleChanged()
    envelope.payload.Unpack(changed)
    assert (changed.user_id, changed.old_role, changed.new_role) == (
        member.user.id,
        pb.ROLE_MEMBER,
        pb.ROLE_VIEWER,
    )


async def test_the_same_idempotency_key_returns_the_first_response_and_creates_nothing_twice(stub):
    key = (("idempotency-key", uuid.uuid4().hex),)
    request = pb.SignupRequest(
        email=f"idem-{uuid.uuid4().hex[:6]}@example.com",
        password=PASSWORD,
        organization_name="Once",
    )
    first, second = await asyncio.gather(
        stub.Signup(request, metadata=key), stub.Signup(request, metadata=key)
    )
    assert first.session.organization.id == second.session.organization.id
    assert first.session.refresh_token == second.session.refresh_token

    changed = pb.SignupRequest(email=request.email, password=PASSWORD, organization_name="Twice")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.Signup(changed, metadata=key)
    assert from_rpc_error(caught.value).reason == "IDEMPOTENCY_KEY_REUSED"


async def test_row_level_security_hides_other_tenants_even_without_a_filter(stub, identity):
    ours = await signup(stub)
    theirs = await signup(stub)
    async with identity.runtime.uow(Scope(org_id=uuid.UUID(ours.organization.id))) as uow:
        rows = (await uow.session.execute(text("SELECT org_id::text FROM users"))).scalars().all()
    assert set(rows) == {ours.organization.id}
    assert theirs.organization.id not in rows


async def test_rotating_keys_publishes_the_new_key_and_keeps_earlier_tokens_valid(stub):
    owner = await signup(stub)
    before = await stub.GetJwks(pb.GetJwksRequest())
    rotated = await stub.RotateSigningKey(
        pb.RotateSigningKeyRequest(), metadata=bearer(owner.access_token)
    )
    after = await stub.GetJwks(pb.GetJwksRequest())
    assert rotated.kid in {k.kid for k in after.keys}
    assert {k.kid for k in before.keys} <= {k.kid for k in after.keys}
    me = await stub.GetMe(pb.GetMeRequest(), metadata=bearer(owner.access_token))
    assert me.user.id == owner.user.id


def _forge(header: dict, claims: dict, key=None) -> str:
    if key is not None:
        return jwt.encode(claims, key, algorithm="EdDSA", headers=header)
    encode = lambda part: base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")  # noqa: E731
    return f"{encode(header)}.{encode(claims)}."


async def test_forged_tokens_are_refused(stub):
    owner = await signup(stub)
    claims = jwt.decode(owner.access_token, options={"verify_signature": False})
    kid = jwt.get_unverified_header(owner.access_token)["kid"]
    forgeries = [
        _forge({"alg": "none", "typ": "at+jwt", "kid": kid}, claims),
        _forge({"kid": kid, "typ": "at+jwt"}, claims, Ed25519PrivateKey.generate()),
        _forge({"kid": "unknown", "typ": "at+jwt"}, claims, Ed25519PrivateKey.generate()),
        owner.access_token[:-4] + ("AAAA" if not owner.access_token.endswith("AAAA") else "BBBB"),
        "not-a-jwt",
    ]
    for forged in forgeries:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.GetMe(pb.GetMeRequest(), metadata=bearer(forged))
        assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED, forged


async def test_health_reports_serving_for_the_service_and_for_liveness(identity):
    async with grpc.aio.insecure_channel(identity.address) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for name in ("", "labs.identity.v1.IdentityService", "liveness"):
            deadline = asyncio.get_running_loop().time() + 10
            while True:
                answer = await health.Check(health_pb2.HealthCheckRequest(service=name))
                if answer.status == health_pb2.HealthCheckResponse.SERVING:
                    break
                assert asyncio.get_running_loop().time() < deadline, name
                await asyncio.sleep(0.05)
