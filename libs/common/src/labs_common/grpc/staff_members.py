"""Whether a user is a staff member of the caller's organization, asked of identity's GetMember
with the caller's own token (forwarded by the channel), so identity answers for the caller's
organization only: another organization's user is not found."""

from __future__ import annotations

import uuid

import grpc

from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.identity.v1 import identity_service_pb2_grpc as identity_grpc
from labs_common.grpc.status import remote_lookup


class IdentityStaffMembers:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = identity_grpc.IdentityServiceStub(channel)

    async def is_staff_member(self, user_id: uuid.UUID) -> bool:
        """True for a member of the caller's org with a staff role (not client)."""
        request = identity_pb.GetMemberRequest(user_id=str(user_id))
        found = await remote_lookup(self._stub.GetMember(request))
        return found is not None and found.member.role != identity_pb.ROLE_CLIENT
