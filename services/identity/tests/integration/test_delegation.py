"""Delegated access tokens: a Labs service with the delegation secret acts as a member."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import grpc
import jwt
import pytest
from identity_helpers import DELEGATION_SECRET, bearer, invite_and_join, signup
from pydantic import SecretStr

from labs.identity.v1 import identity_service_pb2 as pb
from labs.identity.v1 import identity_service_pb2_grpc as pb_grpc
from labs_common.auth.delegation import SERVICE_CREDENTIAL_METADATA, DelegatedTokens, acting_as
from labs_common.auth.roles import Role
from labs_common.auth.tokens import TokenVerifier
from labs_common.config import BaseLabsSettings
from labs_common.errors import NotFound, PermissionDenied
from labs_common.grpc.client import open_channel
from labs_common.grpc.status import from_rpc_error

pytestmark = pytest.mark.integration

CREDENTIAL = ((SERVICE_CREDENTIAL_METADATA, DELEGATION_SECRET),)


def verifier(stub) -> TokenVerifier:
    """As every other service verifies tokens: identity's JWKS, its issuer and audience."""
    async def jwks() -> list[dict]:
        answer = await stub.GetJwks(pb.GetJwksRequest())
        return [{"kid": k.kid, "kty": k.kty, "crv": k.crv, "x": k.x, "alg": k.alg, "use": k.use}
                for k in answer.keys]

    return TokenVerifier(jwks, "labs-identity", "labs", min_refresh_seconds=0)


def request(owner: pb.Session, **member) -> pb.IssueDelegatedTokenRequest:
    return pb.IssueDelegatedTokenRequest(org_id=owner.organization.id, actor="integrations",
                                         reason="slack /labs time", **member)


async def test_the_token_is_a_normal_access_token_of_the_member_with_an_actor(stub):
    owner = await signup(stub)
    manager = await invite_and_join(stub, owner, pb.ROLE_MANAGER)
    before = datetime.now(UTC)
    answer = await stub.IssueDelegatedToken(request(owner, user_id=manager.user.id),
                                            metadata=CREDENTIAL)
    assert (answer.user_id, answer.role, answer.email) == (
        manager.user.id, pb.ROLE_MANAGER, manager.user.email)
    expires = answer.expires_at.ToDatetime(tzinfo=UTC)
    assert before + timedelta(minutes=4) < expires <= datetime.now(UTC) + timedelta(minutes=5)

    principal = await verifier(stub).verify(answer.access_token)
    assert principal.user_id == uuid.UUID(manager.user.id)
    assert principal.org_id == uuid.UUID(owner.organization.id)
    assert principal.role is Role.MANAGER and principal.session_id is None
    claims = jwt.decode(answer.access_token, options={"verify_signature": False})
    assert claims["act"] == {"sub": "service:integrations"}
    assert claims["exp"] == int(expires.timestamp())
    # And identity itself takes it as the member.
    me = await stub.GetMe(pb.GetMeRequest(), metadata=bearer(answer.access_token))
    assert me.user.id == manager.user.id and me.role == pb.ROLE_MANAGER


async def test_a_client_members_token_names_their_client(stub):
    owner = await signup(stub)
    client_id = str(uuid.uuid4())
    client = await invite_and_join(stub, owner, pb.ROLE_CLIENT, client_id=client_id)
    answer = await stub.IssueDelegatedToken(request(owner, user_id=client.user.id),
                                            metadata=CREDENTIAL)
    assert answer.client_id == client_id and answer.role == pb.ROLE_CLIENT
    principal = await verifier(stub).verify(answer.access_token)
    assert principal.client_id == uuid.UUID(client_id) and principal.role is Role.CLIENT


async def test_the_email_matches_whatever_its_case(stub):
    email = f"Mixed-{uuid.uuid4().hex[:8]}@Example.com"
    owner = await signup(stub, email=email.lower())
    answer = await stub.IssueDelegatedToken(request(owner, email=f"  {email.upper()} "),
                                            metadata=CREDENTIAL)
    assert answer.user_id == owner.user.id and answer.email == email.lower()
    assert answer.role == pb.ROLE_OWNER


@pytest.mark.parametrize("credential", [None, "", "wrong", DELEGATION_SECRET + "x"])
async def test_without_the_secret_it_is_permission_denied(stub, credential):
    owner = await signup(stub)
    metadata = () if credential is None else ((SERVICE_CREDENTIAL_METADATA, credential),)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.IssueDelegatedToken(request(owner, user_id=owner.user.id), metadata=metadata)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert from_rpc_error(caught.value).reason == "SERVICE_CREDENTIAL_INVALID"


async def test_a_members_own_token_does_not_stand_for_the_secret(stub):
    owner = await signup(stub)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.IssueDelegatedToken(request(owner, user_id=owner.user.id),
                                       metadata=bearer(owner.access_token))
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_unknown_members_and_organizations_are_not_found(stub):
    ours = await signup(stub)
    theirs = await signup(stub)
    removed = await invite_and_join(stub, ours, pb.ROLE_MEMBER)
    await stub.RemoveMember(pb.RemoveMemberRequest(user_id=removed.user.id),
                            metadata=bearer(ours.access_token))
    for asked in (
        request(ours, email="nobody-here@example.com"),
        request(ours, user_id=str(uuid.uuid4())),
        request(ours, user_id=theirs.user.id),  # another organization's member
        request(ours, email=theirs.user.email),
        request(ours, user_id=removed.user.id),  # removed
        request(ours, email=removed.user.email),
        pb.IssueDelegatedTokenRequest(org_id=str(uuid.uuid4()), user_id=ours.user.id,
                                      actor="integrations"),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.IssueDelegatedToken(asked, metadata=CREDENTIAL)
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND, asked
        assert from_rpc_error(caught.value).reason == "MEMBER_NOT_FOUND"


async def test_a_request_without_a_member_or_actor_is_invalid(stub):
    owner = await signup(stub)
    for asked in (request(owner), pb.IssueDelegatedTokenRequest(
            org_id=owner.organization.id, user_id=owner.user.id)):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.IssueDelegatedToken(asked, metadata=CREDENTIAL)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_delegated_tokens_act_as_the_member_through_the_platforms_channels(identity):
    """labs_common.auth.delegation end to end, on a channel as services open them (the bound
    principal's token forwarded): calls inside acting_as are the member's; identity's NOT_FOUND
    and PERMISSION_DENIED come back as domain errors."""
    settings = BaseLabsSettings(identity_addr=identity.address)
    channel = open_channel(settings, "identity", "labs.identity.v1.IdentityService")
    try:
        stub = pb_grpc.IdentityServiceStub(channel)
        owner = await signup(stub)
        member = await invite_and_join(stub, owner, pb.ROLE_MEMBER)
        tokens = DelegatedTokens(lambda service: channel, SecretStr(DELEGATION_SECRET),
                                 actor="integrations")
        delegation = await tokens.token(owner.organization.id, email=member.user.email.upper(),
                                        reason="test")
        assert delegation.user_id == uuid.UUID(member.user.id) and delegation.role is Role.MEMBER
        assert await tokens.token(owner.organization.id, user_id=member.user.id) is delegation
        with acting_as(delegation):
            me = await stub.GetMe(pb.GetMeRequest())
            assert me.user.id == member.user.id and me.role == pb.ROLE_MEMBER
            # Asking for another member's token while acting as one: the bound token is not
            # what identity checks (it takes the secret).
            theirs = await tokens.token(owner.organization.id, user_id=owner.user.id)
        assert theirs.role is Role.OWNER
        with pytest.raises(NotFound):
            await tokens.token(owner.organization.id, email="nobody-here@example.com")
        with pytest.raises(PermissionDenied):
            await DelegatedTokens(channel, "wrong", actor="integrations").token(
                owner.organization.id, user_id=member.user.id)
    finally:
        await channel.close()
