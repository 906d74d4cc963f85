"""Approval RPCs: a member submits a period; a manager approves, rejects or reopens it."""

from __future__ import annotations

from labs.time.v1 import time_service_pb2 as pb
from labs_common.auth.principal import current_principal
from labs_common.auth.roles import Role
from labs_time.entrypoints.rpcs.base import ServicerBase
from labs_time.service_layer import approvals


class ApprovalRpcs(ServicerBase):
    async def SubmitTimeEntries(self, request, context) -> pb.SubmitTimeEntriesResponse:
        # The org (its timezone bounds the range) is asked before the transaction opens.
        org = await approvals.ask_for_range(self._directory, current_principal(), Role.MEMBER)
        return await self._entries(
            context, request, pb.SubmitTimeEntriesResponse,
            lambda uow, principal: approvals.submit(uow, principal, org, request.date_from,
                                                    request.date_to))

    async def ApproveTimeEntries(self, request, context) -> pb.ApproveTimeEntriesResponse:
        org = await approvals.ask_for_range(self._directory, current_principal(), Role.MANAGER)
        return await self._entries(
            context, request, pb.ApproveTimeEntriesResponse,
            lambda uow, principal: approvals.approve(uow, principal, org, request.user_id,
                                                     request.date_from, request.date_to))

    async def RejectTimeEntries(self, request, context) -> pb.RejectTimeEntriesResponse:
        org = await approvals.ask_for_range(self._directory, current_principal(), Role.MANAGER)
        return await self._entries(
            context, request, pb.RejectTimeEntriesResponse,
            lambda uow, principal: approvals.reject(uow, principal, org, request.user_id,
                                                    request.date_from, request.date_to,
                                                    request.reason))

    async def ReopenTimeEntries(self, request, context) -> pb.ReopenTimeEntriesResponse:
        return await self._entries(
            context, request, pb.ReopenTimeEntriesResponse,
            lambda uow, principal: approvals.reopen(uow, principal, list(request.entry_ids),
                                                    request.reason))
