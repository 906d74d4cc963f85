"""Identity's domain objects as protobuf messages (the gRPC API and the event payloads)."""

from __future__ import annotations

from google.protobuf import struct_pb2

from labs.identity.v1 import identity_service_pb2 as pb
from labs_common.auth.roles import Role
from labs_common.protobuf import timestamp
from labs_identity.domain.model import ApiKey, Invitation, Member, Organization

ROLE_TO_PROTO = {role: pb.Role.Value(f"ROLE_{role.name}") for role in Role}
PROTO_TO_ROLE = {value: role for role, value in ROLE_TO_PROTO.items()}


def organization(org: Organization) -> pb.Organization:
    settings = struct_pb2.Struct()
    settings.update(org.settings)
    return pb.Organization(
        id=str(org.id),
        name=org.name,
        settings=settings,
        timezone=org.timezone,
        currency=org.currency,
        created_at=timestamp(org.created_at),
        updated_at=timestamp(org.updated_at), etag=org.etag,
    )


def user(member: Member) -> pb.User:
    return pb.User(
        id=str(member.id),
        email=member.email,
        first_name=member.first_name,
        last_name=member.last_name,
        created_at=timestamp(member.created_at),
    )


def member(value: Member) -> pb.Member:
    return pb.Member(
        user=user(value), role=ROLE_TO_PROTO[value.role], client_id=str(value.client_id or "")
    )


def invitation(value: Invitation) -> pb.Invitation:
    return pb.Invitation(
        id=str(value.id),
        email=value.email,
        role=ROLE_TO_PROTO[value.role],
        client_id=str(value.client_id or ""),
        invited_by=str(value.invited_by),
        expires_at=timestamp(value.expires_at),
        created_at=timestamp(value.created_at),
    )


def api_key(value: ApiKey) -> pb.ApiKey:
    return pb.ApiKey(
        id=str(value.id),
        name=value.name,
        role=ROLE_TO_PROTO[value.role],
        prefix=value.prefix,
        created_by=str(value.created_by),
        created_at=timestamp(value.created_at),
        last_used_at=timestamp(value.last_used_at),
        revoked_at=timestamp(value.revoked_at),
    )
