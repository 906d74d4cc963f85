"""API keys: shown once, exchanged for short-lived tokens, capped at the creator's role."""

from __future__ import annotations

import grpc
import pytest
from identity_helpers import bearer, invite_and_join, signup

from labs.identity.v1 import identity_service_pb2 as pb
from labs_common.errors import from_rpc_error

pytestmark = pytest.mark.integration


async def test_an_api_key_authenticates_with_its_own_role(stub):
    owner = await signup(stub)
    created = await stub.CreateApiKey(
        pb.CreateApiKeyRequest(name="CI", role=pb.ROLE_VIEWER), metadata=bearer(owner.access_token)
    )
    assert created.secret.startswith("lbk_") and created.secret.startswith(created.api_key.prefix)
    token = (
        await stub.AuthenticateApiKey(pb.AuthenticateApiKeyRequest(secret=created.secret))
    ).access_token
    me = await stub.GetMe(pb.GetMeRequest(), metadata=bearer(token))
    assert me.role == pb.ROLE_VIEWER and me.api_key_id == created.api_key.id
    listed = await stub.ListApiKeys(pb.ListApiKeysRequest(), metadata=bearer(owner.access_token))
    assert [k.id for k in listed.api_keys] == [created.api_key.id]
    assert all(not hasattr(k, "secret") for k in listed.api_keys)


async def test_a_revoked_key_no_longer_authenticates(stub):
    owner = await signup(stub)
    created = await stub.CreateApiKey(
        pb.CreateApiKeyRequest(name="old", role=pb.ROLE_MEMBER), metadata=bearer(owner.access_token)
    )
    await stub.RevokeApiKey(
        pb.RevokeApiKeyRequest(id=created.api_key.id), metadata=bearer(owner.access_token)
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.AuthenticateApiKey(pb.AuthenticateApiKeyRequest(secret=created.secret))
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_a_key_cannot_outrank_its_creator(stub):
    owner = await signup(stub)
    member = await invite_and_join(stub, owner, pb.ROLE_MEMBER)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.CreateApiKey(
            pb.CreateApiKeyRequest(name="x", role=pb.ROLE_ADMIN),
            metadata=bearer(member.access_token),
        )
    assert from_rpc_error(caught.value).field_errors[0].field == "role"


async def test_demoting_the_creator_demotes_their_keys(stub):
    owner = await signup(stub)
    manager = await invite_and_join(stub, owner, pb.ROLE_MANAGER)
    created = await stub.CreateApiKey(
        pb.CreateApiKeyRequest(name="m", role=pb.ROLE_MANAGER),
        metadata=bearer(manager.access_token),
    )
    await stub.UpdateMember(
        pb.UpdateMemberRequest(user_id=manager.user.id, role=pb.ROLE_VIEWER),
        metadata=bearer(owner.access_token),
    )
    token = (
        await stub.AuthenticateApiKey(pb.AuthenticateApiKeyRequest(secret=created.secret))
    ).access_token
    me = await stub.GetMe(pb.GetMeRequest(), metadata=bearer(token))
    assert me.role == pb.ROLE_VIEWER


async def test_another_organizations_key_is_not_found(stub):
    ours = await signup(stub)
    theirs = await signup(stub)
    created = await stub.CreateApiKey(
        pb.CreateApiKeyRequest(name="theirs", role=pb.ROLE_VIEWER),
        metadata=bearer(theirs.access_token),
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.RevokeApiKey(
            pb.RevokeApiKeyRequest(id=created.api_key.id), metadata=bearer(ours.access_token)
        )
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    token = (
        await stub.AuthenticateApiKey(pb.AuthenticateApiKeyRequest(secret=created.secret))
    ).access_token
    assert token  # still valid: our attempt changed nothing
