"""Asking identity for the caller's organization: its currency is a new resource's default (who
a resource's user_id may name is labs_common.grpc.staff_members)."""

from __future__ import annotations

import grpc

from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.identity.v1 import identity_service_pb2_grpc as identity_grpc
from labs_common.grpc.status import remote_call


class GrpcOrgCurrency:
    """The channel forwards the caller's token, so identity answers for the caller's org."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = identity_grpc.IdentityServiceStub(channel)

    async def __call__(self) -> str:
        found = await remote_call(self._stub.GetOrganization(
            identity_pb.GetOrganizationRequest()))
        return found.organization.currency or "USD"

