"""Asking identity for the caller's organization: its currency is a new resource's default, and
its members are who a resource's user_id may name."""

from __future__ import annotations

import uuid

import grpc

from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.identity.v1 import identity_service_pb2_grpc as identity_grpc
from labs_common.grpc.status import remote_call, remote_lookup


class GrpcOrgCurrency:
    """The channel forwards the caller's token, so identity answers for the caller's org."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = identity_grpc.IdentityServiceStub(channel)

    async def __call__(self) -> str:
        found = await remote_call(self._stub.GetOrganization(
            identity_pb.GetOrganizationRequest()))
        return found.organization.currency or "USD"


class GrpcMemberCheck:
    """Whether a user is a staff member (not a client) of the caller's org: identity answers
    for the token's org only, so another org's user is not found."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = identity_grpc.IdentityServiceStub(channel)

    async def __call__(self, user_id: uuid.UUID) -> bool:
        found = await remote_lookup(self._stub.GetMember(
            identity_pb.GetMemberRequest(user_id=str(user_id))))
        return found is not None and found.member.role != identity_pb.ROLE_CLIENT
