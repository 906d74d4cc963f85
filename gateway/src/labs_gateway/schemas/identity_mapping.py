"""Identity protos ⇄ the API's JSON shapes (roles are lowercase names in JSON, enums in protos)."""

from __future__ import annotations

from google.protobuf import json_format

from labs.identity.v1 import identity_service_pb2 as pb
from labs_gateway.schemas.common import timestamp
from labs_gateway.schemas.identity import (
    ApiKeyPublic,
    InvitationPublic,
    MemberPublic,
    MePublic,
    OrganizationPublic,
    SessionPublic,
    UserPublic,
)

_ROLE_PREFIX = "ROLE_"


def role_to_proto(name: str) -> int:
    return pb.Role.Value(_ROLE_PREFIX + name.upper())


def role_name(value: int) -> str | None:
    if value == pb.ROLE_UNSPECIFIED:
        return None
    return pb.Role.Name(value).removeprefix(_ROLE_PREFIX).lower()


def user_public(user: pb.User) -> UserPublic:
    return UserPublic(id=user.id, email=user.email, first_name=user.first_name,
                      last_name=user.last_name, created_at=timestamp(user.created_at))


def organization_public(org: pb.Organization) -> OrganizationPublic:
    return OrganizationPublic(
        id=org.id, name=org.name, settings=json_format.MessageToDict(org.settings),
        timezone=org.timezone, currency=org.currency,
        created_at=timestamp(org.created_at), updated_at=timestamp(org.updated_at),
    )


def session_public(session: pb.Session) -> SessionPublic:
    return SessionPublic(
        user=user_public(session.user),
        organization=(organization_public(session.organization)
                      if session.HasField("organization") else None),
        role=role_name(session.role),
        access_token=session.access_token,
        refresh_token=session.refresh_token,
        expires_in=session.expires_in,
    )


def me_public(me: pb.GetMeResponse) -> MePublic:
    return MePublic(
        user=user_public(me.user), organization=organization_public(me.organization),
        role=role_name(me.role), client_id=me.client_id or None, api_key_id=me.api_key_id or None,
    )


def member_public(member: pb.Member) -> MemberPublic:
    return MemberPublic(user=user_public(member.user), role=role_name(member.role),
                        client_id=member.client_id or None)


def invitation_public(invitation: pb.Invitation) -> InvitationPublic:
    return InvitationPublic(
        id=invitation.id, email=invitation.email, role=role_name(invitation.role),
        client_id=invitation.client_id or None, invited_by=invitation.invited_by,
        expires_at=timestamp(invitation.expires_at), created_at=timestamp(invitation.created_at),
    )


def api_key_public(key: pb.ApiKey) -> ApiKeyPublic:
    return ApiKeyPublic(
        id=key.id, name=key.name, role=role_name(key.role), prefix=key.prefix,
        created_by=key.created_by, created_at=timestamp(key.created_at),
        last_used_at=timestamp(key.last_used_at), revoked_at=timestamp(key.revoked_at),
    )
