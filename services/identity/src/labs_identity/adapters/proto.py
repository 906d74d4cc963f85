"""Identity's domain objects as protobuf messages (the gRPC API and the event payloads)."""

from __future__ import annotations

from labs.identity.v1 import identity_service_pb2 as pb
from labs_common.auth.roles import Role
from labs_common.protobuf import EnumMapping, message_of
from labs_identity.domain import rules
from labs_identity.domain.model import ApiKey, Invitation, Member, Organization, Profile

ROLE = EnumMapping(pb.Role, Role)


def organization(org: Organization) -> pb.Organization:
    return message_of(pb.Organization, org)


def user(member: Member) -> pb.User:
    return message_of(pb.User, member)


def member(value: Member) -> pb.Member:
    return message_of(pb.Member, value, user=user(value))


def invitation(value: Invitation) -> pb.Invitation:
    return message_of(pb.Invitation, value)


def api_key(value: ApiKey) -> pb.ApiKey:
    return message_of(pb.ApiKey, value)


def profile(value: Profile) -> pb.Profile:
    """The profile with every alert type and channel filled in (the choices made, else the
    default)."""
    return message_of(pb.Profile, value, etag=value.etag,
                      notification_preferences=rules.notification_matrix(
                          value.notification_preferences))
