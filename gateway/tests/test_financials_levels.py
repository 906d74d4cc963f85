"""The organization's financials level: asked of identity once per TTL for members and viewers
(never for managers or clients), replaced at once by what the hub hears, closed on failure."""

from __future__ import annotations

import uuid

import grpc
from google.protobuf import struct_pb2

from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.options.v1 import visibility_pb2 as options
from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_gateway.financials import FinancialsLevels

ORG = uuid.uuid4()


def someone(role: Role) -> Principal:
    return Principal(user_id=uuid.uuid4(), org_id=ORG, role=role, token="t")


class FakeIdentity:
    def __init__(self, opens_to: str | None = "viewer", fail: bool = False) -> None:
        self.asked = 0
        self.opens_to, self.fail = opens_to, fail

    async def GetOrganization(self, request, metadata=()):
        self.asked += 1
        if self.fail:
            raise grpc.aio.AioRpcError(grpc.StatusCode.UNAVAILABLE, None, None)
        settings = struct_pb2.Struct()
        if self.opens_to:
            settings.update({"financials_visible_to": self.opens_to})
        return identity_pb.GetOrganizationResponse(
            organization=identity_pb.Organization(id=str(ORG), settings=settings))


async def test_a_viewer_reads_financials_when_the_org_opens_them_and_identity_is_asked_once():
    identity = FakeIdentity("viewer")
    levels = FinancialsLevels(identity)  # type: ignore[arg-type]
    for _ in range(3):
        reader = await levels.reader_for(someone(Role.VIEWER))
        assert reader.may_read_field(options.FIELD_READERS_FINANCIALS)
        assert not reader.may_read_field(options.FIELD_READERS_MANAGER)  # cost rates stay closed
    assert identity.asked == 1


async def test_managers_and_clients_need_no_lookup_and_clients_never_read_financials():
    identity = FakeIdentity("viewer")
    levels = FinancialsLevels(identity)  # type: ignore[arg-type]
    assert (await levels.reader_for(someone(Role.MANAGER))).may_read_field(
        options.FIELD_READERS_FINANCIALS)
    assert not (await levels.reader_for(someone(Role.CLIENT))).may_read_field(
        options.FIELD_READERS_FINANCIALS)
    assert identity.asked == 0


async def test_the_default_and_a_failing_identity_keep_financials_closed_below_manager():
    for identity in (FakeIdentity(None), FakeIdentity(fail=True)):
        reader = await FinancialsLevels(identity).reader_for(  # type: ignore[arg-type]
            someone(Role.MEMBER))
        assert not reader.may_read_field(options.FIELD_READERS_FINANCIALS)


async def test_a_heard_change_applies_at_once():
    levels = FinancialsLevels(FakeIdentity("manager"))  # type: ignore[arg-type]
    assert levels.cached(str(ORG)) is Role.MANAGER
    levels.heard(str(ORG), {"financials_visible_to": "member"})
    assert levels.cached(str(ORG)) is Role.MEMBER
    assert (await levels.reader_for(someone(Role.MEMBER))).may_read_field(
        options.FIELD_READERS_FINANCIALS)
