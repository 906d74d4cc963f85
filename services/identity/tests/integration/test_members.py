"""Invitations, roles and removal: who may do what to whom, inside one organization only."""

from __future__ import annotations

import uuid

import grpc
import pytest
from identity_helpers import PASSWORD, bearer, invite_and_join, signup

from labs.identity.v1 import identity_service_pb2 as pb
from labs_common.errors import from_rpc_error

pytestmark = pytest.mark.integration


async def test_an_invited_person_joins_with_the_role_they_were_invited_with(stub):
    owner = await signup(stub)
    manager = await invite_and_join(stub, owner, pb.ROLE_MANAGER)
    assert manager.role == pb.ROLE_MANAGER
    assert manager.organization.id == owner.organization.id
    members = await stub.ListMembers(pb.ListMembersRequest(), metadata=bearer(owner.access_token))
    assert {m.user.id: m.role for m in members.members} == {
        owner.user.id: pb.ROLE_OWNER,
        manager.user.id: pb.ROLE_MANAGER,
    }


async def test_an_invitation_token_works_once(stub):
    owner = await signup(stub)
    invited = await stub.CreateInvitation(
        pb.CreateInvitationRequest(email="once@example.com", role=pb.ROLE_MEMBER),
        metadata=bearer(owner.access_token),
    )
    await stub.AcceptInvitation(pb.AcceptInvitationRequest(token=invited.token, password=PASSWORD))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.AcceptInvitation(
            pb.AcceptInvitationRequest(token=invited.token, password=PASSWORD)
        )
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_a_client_member_needs_a_client_id(stub):
    owner = await signup(stub)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.CreateInvitation(
            pb.CreateInvitationRequest(email="client@example.com", role=pb.ROLE_CLIENT),
            metadata=bearer(owner.access_token),
        )
    assert from_rpc_error(caught.value).field_errors[0].field == "client_id"
    client_id = str(uuid.uuid4())
    client = await invite_and_join(stub, owner, pb.ROLE_CLIENT, client_id=client_id)
    me = await stub.GetMe(pb.GetMeRequest(), metadata=bearer(client.access_token))
    assert me.role == pb.ROLE_CLIENT and me.client_id == client_id


async def test_members_cannot_invite_and_admins_cannot_make_owners(stub):
    owner = await signup(stub)
    member = await invite_and_join(stub, owner, pb.ROLE_MEMBER)
    admin = await invite_and_join(stub, owner, pb.ROLE_ADMIN)
    with pytest.raises(grpc.aio.AioRpcError) as by_member:
        await stub.CreateInvitation(
            pb.CreateInvitationRequest(email="x@example.com", role=pb.ROLE_VIEWER),
            metadata=bearer(member.access_token),
        )
    assert by_member.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as by_admin:
        await stub.UpdateMember(
            pb.UpdateMemberRequest(user_id=member.user.id, role=pb.ROLE_OWNER),
            metadata=bearer(admin.access_token),
        )
    assert by_admin.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_role_change_is_visible_to_the_member(stub):
    owner = await signup(stub)
    member = await invite_and_join(stub, owner, pb.ROLE_MEMBER)
    updated = await stub.UpdateMember(
        pb.UpdateMemberRequest(user_id=member.user.id, role=pb.ROLE_MANAGER),
        metadata=bearer(owner.access_token),
    )
    assert updated.member.role == pb.ROLE_MANAGER
    me = await stub.GetMe(pb.GetMeRequest(), metadata=bearer(member.access_token))
    assert me.user.id == member.user.id


async def test_the_last_owner_cannot_step_down_or_leave(stub):
    owner = await signup(stub)
    for call in (
        stub.UpdateMember(
            pb.UpdateMemberRequest(user_id=owner.user.id, role=pb.ROLE_ADMIN),
            metadata=bearer(owner.access_token),
        ),
        stub.RemoveMember(
            pb.RemoveMemberRequest(user_id=owner.user.id), metadata=bearer(owner.access_token)
        ),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call
        assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert from_rpc_error(caught.value).reason == "LAST_OWNER"


async def test_a_removed_member_can_no_longer_sign_in_or_refresh(stub):
    owner = await signup(stub)
    member = await invite_and_join(stub, owner, pb.ROLE_MEMBER)
    await stub.RemoveMember(
        pb.RemoveMemberRequest(user_id=member.user.id), metadata=bearer(owner.access_token)
    )
    with pytest.raises(grpc.aio.AioRpcError) as login:
        await stub.Login(pb.LoginRequest(email=member.user.email, password=PASSWORD))
    assert login.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.aio.AioRpcError) as refresh:
        await stub.RefreshSession(pb.RefreshSessionRequest(refresh_token=member.refresh_token))
    assert refresh.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_another_organizations_member_is_not_found(stub):
    ours = await signup(stub)
    theirs = await signup(stub)
    their_member = await invite_and_join(stub, theirs, pb.ROLE_MEMBER)
    for call in (
        stub.UpdateMember(
            pb.UpdateMemberRequest(user_id=their_member.user.id, role=pb.ROLE_VIEWER),
            metadata=bearer(ours.access_token),
        ),
        stub.RemoveMember(
            pb.RemoveMemberRequest(user_id=their_member.user.id), metadata=bearer(ours.access_token)
        ),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    listed = await stub.ListMembers(pb.ListMembersRequest(), metadata=bearer(ours.access_token))
    assert [m.user.id for m in listed.members] == [ours.user.id]


async def test_members_are_paged_with_an_opaque_token(stub):
    owner = await signup(stub)
    for _ in range(3):
        await invite_and_join(stub, owner, pb.ROLE_VIEWER)
    seen, token = [], ""
    while True:
        page = await stub.ListMembers(
            pb.ListMembersRequest(page_size=2, page_token=token),
            metadata=bearer(owner.access_token),
        )
        seen += [m.user.id for m in page.members]
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == 4 == len(set(seen))


async def test_organization_settings_merge_and_bad_values_name_the_field(stub):
    owner = await signup(stub)
    auth = bearer(owner.access_token)
    org = pb.Organization(timezone="Europe/Paris", currency="EUR")
    org.settings.update({"rounding": {"unit_minutes": 15}})
    await stub.UpdateOrganization(
        pb.UpdateOrganizationRequest(
            organization=org, update_mask={"paths": ["timezone", "currency", "settings"]}
        ),
        metadata=auth,
    )
    second = pb.Organization()
    second.settings.update({"week_starts": "monday"})
    updated = (
        await stub.UpdateOrganization(
            pb.UpdateOrganizationRequest(organization=second, update_mask={"paths": ["settings"]}),
            metadata=auth,
        )
    ).organization
    assert updated.timezone == "Europe/Paris" and updated.currency == "EUR"
    assert set(updated.settings.keys()) == {"rounding", "week_starts"}
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.UpdateOrganization(
            pb.UpdateOrganizationRequest(
                organization=pb.Organization(timezone="Mars/Olympus"),
                update_mask={"paths": ["timezone"]},
            ),
            metadata=auth,
        )
    assert from_rpc_error(caught.value).field_errors[0].field == "timezone"


async def test_an_update_with_a_stale_etag_changes_nothing(stub):
    owner = await signup(stub)
    auth = bearer(owner.access_token)
    etag = (
        await stub.GetOrganization(pb.GetOrganizationRequest(), metadata=auth)
    ).organization.etag
    renamed = await stub.UpdateOrganization(
        pb.UpdateOrganizationRequest(
            organization=pb.Organization(name="First"),
            update_mask={"paths": ["name"]},
            if_match_etags=[etag],
        ),
        metadata=auth,
    )
    assert renamed.organization.etag != etag
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.UpdateOrganization(
            pb.UpdateOrganizationRequest(
                organization=pb.Organization(name="Second"),
                update_mask={"paths": ["name"]},
                if_match_etags=[etag],
            ),
            metadata=auth,
        )
    assert from_rpc_error(caught.value).http_status == 412
    current = await stub.GetOrganization(pb.GetOrganizationRequest(), metadata=auth)
    assert current.organization.name == "First"
