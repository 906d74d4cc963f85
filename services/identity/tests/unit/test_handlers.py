"""Identity's handlers with a fake unit of work: no I/O."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from labs_common.auth.roles import Role
from labs_common.errors import Conflict, InvalidArgument, NotFound, PermissionDenied
from labs_common.testing.fakes import a_caller
from labs_identity.domain import commands
from labs_identity.domain.model import Member
from labs_identity.service_layer import api_keys, organizations

from .conftest import FakeIdentityUnitOfWork


def _member(uow, role: Role) -> Member:
    member = Member(f"{uuid.uuid4().hex[:6]}@example.com", role, password_hash="",
                    id=uuid.uuid4(), org_id=uow.caller.org_id)
    uow.members.rows[member.id] = member
    return member


async def test_the_last_owner_cannot_step_down():
    uow = FakeIdentityUnitOfWork(caller=a_caller(Role.OWNER))
    owner = _member(uow, Role.OWNER)
    with pytest.raises(Conflict):
        await organizations.update_member(
            commands.UpdateMember(owner.id, Role.ADMIN, ""), uow)
    assert uow.outbox.events == []


async def test_a_role_change_is_announced():
    uow = FakeIdentityUnitOfWork(caller=a_caller(Role.OWNER))
    member = _member(uow, Role.MEMBER)
    changed = await organizations.update_member(
        commands.UpdateMember(member.id, Role.MANAGER, ""), uow)
    assert changed.role is Role.MANAGER and uow.outbox.types() == ["member.role_changed"]


async def test_removing_a_member_ends_their_sessions():
    uow = FakeIdentityUnitOfWork(caller=a_caller(Role.ADMIN))
    member = _member(uow, Role.MEMBER)
    sessions = [uuid.uuid4(), uuid.uuid4()]
    uow.refresh_tokens.sessions[member.id] = list(sessions)
    await organizations.remove_member(commands.RemoveMember(member.id), uow,
                                      access_ttl=timedelta(minutes=15))
    assert member.id not in uow.members.rows and uow.refresh_tokens.revoked_users == [member.id]
    # Their access tokens too, at every verifier: one session.revoked per session.
    revoked = uow.outbox.of_type("session.revoked")
    assert sorted(r.session_id for r in revoked) == sorted(map(str, sessions))
    assert {r.reason for r in revoked} == {"member_removed"}
    assert all(r.HasField("access_expires_at") for r in revoked)


async def test_an_api_key_cannot_outrank_its_creator():
    uow = FakeIdentityUnitOfWork(caller=a_caller(Role.MEMBER))
    with pytest.raises(InvalidArgument) as refused:
        await api_keys.create_api_key(commands.CreateApiKey("ci", Role.ADMIN), uow)
    assert refused.value.field_errors[0].field == "role"
    viewer = FakeIdentityUnitOfWork(caller=a_caller(Role.VIEWER))
    with pytest.raises(PermissionDenied):
        await api_keys.create_api_key(commands.CreateApiKey("ci", Role.VIEWER), viewer)


async def test_only_its_creator_or_an_admin_may_revoke_a_key():
    creator = a_caller(Role.MEMBER)
    uow = FakeIdentityUnitOfWork(caller=creator)
    key, secret = await api_keys.create_api_key(commands.CreateApiKey("ci", Role.MEMBER), uow)
    assert secret.startswith(key.prefix)
    someone = FakeIdentityUnitOfWork(caller=a_caller(Role.MEMBER, org_id=creator.org_id))
    someone.api_keys = uow.api_keys
    with pytest.raises(NotFound):
        await api_keys.revoke_api_key(commands.RevokeApiKey(key.id), someone)
    await api_keys.revoke_api_key(commands.RevokeApiKey(key.id), uow)
    assert uow.outbox.types() == ["api_key.created", "api_key.revoked"]
