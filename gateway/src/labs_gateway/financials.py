"""Each organization's `financials_visible_to` (manager, the default, member or viewer): the
lowest role its margins, forecasts and dashboards open to, which every reader the gateway builds
carries (labs_common.visibility.Reader.financials_from), on REST and on the socket alike.

Cached per organization: asked of identity with the caller's own token on a miss or after
`ttl_seconds`, and replaced at once by identity's `organization.updated` events (the hub hears
them). Only members and viewers ever need it (managers see financials whatever the setting, a
client never). If identity cannot answer, margins stay closed: the safe default."""

from __future__ import annotations

import time

import grpc
import structlog
from google.protobuf import json_format

from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.identity.v1.identity_service_pb2_grpc import IdentityServiceStub
from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.visibility import Reader

log = structlog.get_logger(__name__)

SETTING = "financials_visible_to"
OPENS_TO = {"manager": Role.MANAGER, "member": Role.MEMBER, "viewer": Role.VIEWER}


def level_of(settings: dict) -> Role:
    return OPENS_TO.get(str(settings.get(SETTING, "manager")), Role.MANAGER)


class FinancialsLevels:
    def __init__(self, identity: IdentityServiceStub, ttl_seconds: float = 60.0) -> None:
        self._identity = identity
        self._ttl = ttl_seconds
        self._levels: dict[str, tuple[Role, float]] = {}

    def cached(self, org_id: str) -> Role:
        found = self._levels.get(org_id)
        return found[0] if found else Role.MANAGER

    def heard(self, org_id: str, settings: dict) -> None:
        self._levels[org_id] = (level_of(settings), time.monotonic())

    async def reader_for(self, principal: Principal) -> Reader:
        if principal.role is Role.CLIENT or principal.role.at_least(Role.MANAGER):
            return Reader.of(principal)
        return Reader.of(principal, financials_from=await self._level(principal))

    async def _level(self, principal: Principal) -> Role:
        org_id = str(principal.org_id)
        found = self._levels.get(org_id)
        if found and time.monotonic() - found[1] < self._ttl:
            return found[0]
        try:
            answer = await self._identity.GetOrganization(
                identity_pb.GetOrganizationRequest(),
                metadata=(("authorization", f"Bearer {principal.token}"),))
        except grpc.RpcError as error:
            log.warning("financials.level_unknown", org_id=org_id, code=str(error.code()))
            return found[0] if found else Role.MANAGER
        # The settings are staff-only; members and viewers are staff, so identity shows them.
        self.heard(org_id, json_format.MessageToDict(answer.organization.settings))
        return self._levels[org_id][0]
