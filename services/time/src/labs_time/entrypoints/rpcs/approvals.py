"""Approval RPCs: a member submits a period; a manager approves, rejects or reopens it. The org
(its timezone bounds the range) is asked before the transaction opens."""

from __future__ import annotations

from functools import partial

from labs.time.v1 import time_service_pb2 as pb
from labs_common.auth.principal import current_principal
from labs_common.auth.roles import Role
from labs_common.parsing import uuid_of
from labs_time.adapters import proto
from labs_time.domain import commands
from labs_time.entrypoints.rpcs.base import ServicerBase
from labs_time.service_layer import approvals


def _moved(response_type):
    """The response that lists the entries a step moved."""
    return lambda found: response_type(entries=[proto.entry(e) for e in found])


class ApprovalRpcs(ServicerBase):
    async def _org_for(self, needs: Role):
        return await approvals.ask_for_range(self._directory, current_principal(), needs)

    async def SubmitTimeEntries(self, request, context) -> pb.SubmitTimeEntriesResponse:
        """Submits one's draft entries of a period for approval."""
        command = commands.SubmitTimeEntries(request.date_from, request.date_to)
        org = await self._org_for(Role.MEMBER)
        return await self._handle(context, request, partial(approvals.submit, asked=org),
                                  command, _moved(pb.SubmitTimeEntriesResponse))

    async def ApproveTimeEntries(self, request, context) -> pb.ApproveTimeEntriesResponse:
        """Approves (and locks) a person's submitted entries of a period."""
        command = commands.ApproveTimeEntries(uuid_of(request.user_id, "user_id"),
                                              request.date_from, request.date_to)
        org = await self._org_for(Role.MANAGER)
        return await self._handle(context, request, partial(approvals.approve, asked=org),
                                  command, _moved(pb.ApproveTimeEntriesResponse))

    async def RejectTimeEntries(self, request, context) -> pb.RejectTimeEntriesResponse:
        """Sends a person's submitted entries of a period back to draft, with a reason."""
        command = commands.RejectTimeEntries(uuid_of(request.user_id, "user_id"),
                                             request.date_from, request.date_to, request.reason)
        org = await self._org_for(Role.MANAGER)
        return await self._handle(context, request, partial(approvals.reject, asked=org),
                                  command, _moved(pb.RejectTimeEntriesResponse))

    async def ReopenTimeEntries(self, request, context) -> pb.ReopenTimeEntriesResponse:
        """Reopens approved entries (admins), with a reason; invoiced ones never reopen."""
        command = commands.ReopenTimeEntries(
            tuple(uuid_of(i, "entry_ids") for i in request.entry_ids), request.reason)
        return await self._handle(context, request, approvals.reopen, command,
                                  _moved(pb.ReopenTimeEntriesResponse))
