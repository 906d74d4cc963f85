"""GetMember: other services ask whether a user belongs to the caller's organization."""

from __future__ import annotations

import uuid

import grpc
import pytest
from identity_helpers import bearer, invite_and_join, signup

from labs.identity.v1 import identity_service_pb2 as pb

pytestmark = pytest.mark.integration


async def test_a_member_of_the_callers_org_is_found_with_their_role(stub):
    owner = await signup(stub)
    member = await invite_and_join(stub, owner, pb.ROLE_MEMBER)
    found = await stub.GetMember(
        pb.GetMemberRequest(user_id=member.user.id), metadata=bearer(owner.access_token)
    )
    assert found.member.user.id == member.user.id
    assert found.member.role == pb.ROLE_MEMBER


async def test_unknown_removed_and_foreign_users_are_not_found(stub):
    owner = await signup(stub)
    other_org = await signup(stub, org="Elsewhere")
    removed = await invite_and_join(stub, owner, pb.ROLE_MEMBER)
    await stub.RemoveMember(
        pb.RemoveMemberRequest(user_id=removed.user.id), metadata=bearer(owner.access_token)
    )
    for user_id in (str(uuid.uuid4()), removed.user.id, other_org.user.id):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.GetMember(
                pb.GetMemberRequest(user_id=user_id), metadata=bearer(owner.access_token)
            )
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND


async def test_a_client_role_caller_cannot_look_members_up(stub):
    owner = await signup(stub)
    client = await invite_and_join(stub, owner, pb.ROLE_CLIENT, client_id=str(uuid.uuid4()))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetMember(
            pb.GetMemberRequest(user_id=owner.user.id), metadata=bearer(client.access_token)
        )
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


async def test_a_malformed_user_id_names_the_field(stub):
    owner = await signup(stub)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetMember(
            pb.GetMemberRequest(user_id="nope"), metadata=bearer(owner.access_token)
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
