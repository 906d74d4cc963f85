"""The organization, its members and their roles, and invitations to join."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from labs.identity.v1 import events_pb2
from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import (
    AlreadyExists,
    Conflict,
    FieldError,
    FieldErrors,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from labs_common.etag import require_match
from labs_common.grpc.transactions import authorized_by
from labs_identity.adapters import proto
from labs_identity.adapters.credentials import TokenDeriver, digest
from labs_identity.adapters.passwords import hash_password
from labs_identity.adapters.sessions import IssuedSession, TokenIssuer
from labs_identity.domain import commands, rules
from labs_identity.domain.model import Invitation, Member, Organization
from labs_identity.service_layer.auth import announce_revoked
from labs_identity.service_layer.unit_of_work import IdentityUnitOfWork

UPDATABLE_FIELDS = frozenset({"name", "settings", "timezone", "currency"})


async def get_organization(
    command: commands.GetOrganization, uow: IdentityUnitOfWork
) -> Organization:
    principal = uow.caller
    org = await uow.organizations.get(principal.org_id)
    if org is None:
        raise NotFound("The organization no longer exists.")
    return org


def _admin(principal: Principal, command: object) -> None:
    principal.require(Role.ADMIN)


def _member_manager(principal: Principal, command: object) -> None:
    """Managing members is for admins and up (a client does not even see them)."""
    if principal.role is Role.CLIENT:
        raise_not_visible()
    rules.check_can_grant(principal.role, getattr(command, "role", Role.MEMBER))


def _inviter(principal: Principal, command: commands.CreateInvitation) -> None:
    _require_invitation_manager(principal)
    rules.check_can_grant(principal.role, command.role)


@authorized_by(_admin)
async def update_organization(
    command: commands.UpdateOrganization, uow: IdentityUnitOfWork
) -> Organization:
    principal = uow.caller
    unknown = set(command.fields) - UPDATABLE_FIELDS
    if unknown:
        raise InvalidArgument.on("update_mask", f"cannot update {', '.join(sorted(unknown))}")
    org = await uow.organizations.get(principal.org_id, for_update=True)
    if org is None:
        raise NotFound("The organization no longer exists.")
    require_match(org.etag, command.if_match, "organization")
    changes, problems = command.changes, FieldErrors()
    checks = {
        "name": lambda: rules.check_name(changes["name"], "name", required=True),
        "timezone": lambda: rules.check_timezone(changes["timezone"]),
        "currency": lambda: rules.check_currency(changes["currency"]),
        # Top-level keys merge, so a client changing one setting keeps the others; the bound
        # is on the merged whole, which is what the event carries.
        "settings": lambda: rules.check_settings({**org.settings, **changes["settings"]}),
    }
    checked = {name: problems.check(check) for name, check in checks.items()
               if name in command.fields}
    problems.raise_any()
    for name, value in checked.items():
        setattr(org, name, value)
    org = await uow.organizations.save(org)
    await uow.outbox.add(
        "organization.updated",
        events_pb2.OrganizationUpdated(
            organization=proto.organization(org), changed_fields=sorted(command.fields)
        ),
    )
    return org


async def list_members(command: commands.ListMembers, uow: IdentityUnitOfWork) -> list[Member]:
    principal = uow.caller
    if principal.role is Role.CLIENT:
        raise_not_visible()
    return await uow.members.page(principal.org_id, command.after, command.limit)


async def get_member(command: commands.GetMember, uow: IdentityUnitOfWork) -> Member:
    principal = uow.caller
    member = await uow.members.get(principal.org_id, command.id)
    if member is None or principal.role is Role.CLIENT:
        raise_not_visible()
    return member


@authorized_by(_member_manager)
async def update_member(command: commands.UpdateMember, uow: IdentityUnitOfWork) -> Member:
    principal = uow.caller
    member = await _member(uow, principal, command.user_id)
    client = rules.client_binding(command.role, command.client_id)
    rules.check_role_change(
        principal.role, member.role, command.role, await uow.members.count_owners(principal.org_id)
    )
    if (member.role, member.client_id) == (command.role, client):
        return member
    old_role = member.role
    member = replace(member, role=command.role, client_id=client)
    await uow.members.set_role(member)
    await uow.outbox.add(
        "member.role_changed",
        events_pb2.MemberRoleChanged(
            user_id=str(member.id),
            old_role=proto.ROLE.to_proto(old_role),
            new_role=proto.ROLE.to_proto(command.role),
            client_id=str(client or ""),
        ),
    )
    return member


@authorized_by(_member_manager)
async def remove_member(
    command: commands.RemoveMember, uow: IdentityUnitOfWork, *, access_ttl: timedelta
) -> None:
    principal = uow.caller
    member = await _member(uow, principal, command.id)
    rules.check_removal(
        principal.role, member.role, await uow.members.count_owners(principal.org_id)
    )
    await uow.members.remove(member.id)
    ended = await uow.refresh_tokens.revoke_user(member.id)
    await announce_revoked(uow, principal.org_id, member.id, ended, "member_removed", access_ttl)
    await uow.outbox.add(
        "member.removed", events_pb2.MemberRemoved(user_id=str(member.id), email=member.email)
    )


@authorized_by(_inviter)
async def create_invitation(
    command: commands.CreateInvitation,
    uow: IdentityUnitOfWork,
    *,
    ttl: timedelta,
    deriver: TokenDeriver,
) -> tuple[Invitation, str]:
    """The invitation and its token; the mailer emails the same token from invitation.created
    (it is derived from the invitation's id, so it is stored nowhere)."""
    principal = uow.caller
    email = rules.normalize_email(command.email)
    client = rules.client_binding(command.role, command.client_id)
    if await uow.members.by_email(principal.org_id, email):
        raise AlreadyExists(
            f"{email} is already a member.",
            reason="ALREADY_MEMBER",
            field_errors=[FieldError("email", "is already a member")],
        )
    invitation_id = uuid.uuid4()
    token = deriver.invitation(invitation_id)
    invitation = await uow.invitations.add(
        Invitation(
            id=invitation_id,
            org_id=principal.org_id,
            email=email,
            role=command.role,
            client_id=client,
            invited_by=principal.user_id,
            expires_at=datetime.now(UTC) + ttl,
        ),
        digest(token),
    )
    await uow.outbox.add(
        "invitation.created", events_pb2.InvitationCreated(invitation=proto.invitation(invitation))
    )
    return invitation, token


async def accept_invitation(
    command: commands.AcceptInvitation, uow: IdentityUnitOfWork, *, issuer: TokenIssuer
) -> IssuedSession:
    """Runs in system scope: the token, not a login, says which organization this is."""
    invitation = (
        await uow.invitations.by_hash_for_update(digest(command.token)) if command.token else None
    )
    if invitation is None or invitation.accepted_at is not None:
        raise Unauthenticated("The invitation is not valid.", reason="INVITATION_INVALID")
    if invitation.revoked_at is not None:
        raise Unauthenticated("The invitation was revoked.", reason="INVITATION_REVOKED")
    if invitation.expires_at <= datetime.now(UTC):
        raise Unauthenticated("The invitation has expired.", reason="INVITATION_EXPIRED")
    rules.check_password(command.password)
    if await uow.members.by_email(invitation.org_id, invitation.email):
        raise Conflict(f"{invitation.email} is already a member.", reason="ALREADY_MEMBER")
    member = Member(
        id=uuid.uuid4(),
        org_id=invitation.org_id,
        email=invitation.email,
        role=invitation.role,
        password_hash=await hash_password(command.password),
        client_id=invitation.client_id,
        first_name=rules.check_name(command.first_name, "first_name", required=False),
        last_name=rules.check_name(command.last_name, "last_name", required=False),
    )
    await uow.members.add(member)
    await uow.invitations.mark_accepted(invitation.id)
    member = await uow.members.get(invitation.org_id, member.id)
    await uow.outbox.add(
        "member.joined",
        events_pb2.MemberJoined(member=proto.member(member), invitation_id=str(invitation.id)),
        org_id=member.org_id,
        actor_id=member.id,
    )
    org = await uow.organizations.get(member.org_id)
    return await issuer.issue(uow, member, org)


@authorized_by(lambda principal, _command: _require_invitation_manager(principal))
async def list_invitations(
    command: commands.ListInvitations, uow: IdentityUnitOfWork
) -> list[Invitation]:
    """Pending invitations (neither accepted, revoked nor expired). Admin+."""
    principal = uow.caller
    return await uow.invitations.pending_page(principal.org_id, command.after, command.limit)


@authorized_by(lambda principal, _command: _require_invitation_manager(principal))
async def revoke_invitation(command: commands.RevokeInvitation, uow: IdentityUnitOfWork) -> None:
    """Its token can no longer be accepted. Admin+ (an owner's invitation: owners only)."""
    principal = uow.caller
    invitation = await uow.invitations.get(principal.org_id, command.id,
                                           for_update=True)
    if invitation is None or invitation.revoked_at is not None:
        raise NotFound("No such invitation.")
    if invitation.accepted_at is not None:
        raise Conflict("The invitation was accepted already; remove the member instead.",
                       reason="INVITATION_ACCEPTED")
    rules.check_can_grant(principal.role, invitation.role)
    await uow.invitations.revoke(invitation.id)
    await uow.outbox.add(
        "invitation.revoked", events_pb2.InvitationRevoked(invitation_id=str(invitation.id))
    )


def _require_invitation_manager(principal: Principal) -> None:
    if not principal.role.at_least(Role.ADMIN):
        raise PermissionDenied("Only owners and admins manage invitations.",
                               reason="ROLE_TOO_LOW")


async def _member(uow: IdentityUnitOfWork, principal: Principal, user_id: uuid.UUID) -> Member:
    member = await uow.members.get(principal.org_id, user_id, for_update=True)
    if member is None or principal.role is Role.CLIENT:
        raise_not_visible()
    return member


def raise_not_visible() -> None:
    raise NotFound("No such member.")
