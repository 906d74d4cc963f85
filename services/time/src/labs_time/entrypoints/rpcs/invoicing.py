"""The billing saga's RPCs, called by the invoicing service: list what is billable, reserve it
for a draft invoice, then mark it invoiced or release it."""

from __future__ import annotations

from labs.time.v1 import time_service_pb2 as pb
from labs_time.entrypoints.rpcs.base import ServicerBase
from labs_time.service_layer import invoicing


class InvoicingRpcs(ServicerBase):
    async def ListBillableEntries(self, request, context) -> pb.ListBillableEntriesResponse:
        return await self._entries(
            context, request, pb.ListBillableEntriesResponse,
            lambda uow, principal: invoicing.list_billable(uow, principal, request.project_id,
                                                           request.period_start,
                                                           request.period_end))

    async def ReserveEntries(self, request, context) -> pb.ReserveEntriesResponse:
        return await self._entries(
            context, request, pb.ReserveEntriesResponse,
            lambda uow, principal: invoicing.reserve(uow, principal, request.invoice_id,
                                                     request.project_id, request.period_start,
                                                     request.period_end,
                                                     list(request.entry_ids)))

    async def MarkEntriesInvoiced(self, request, context) -> pb.MarkEntriesInvoicedResponse:
        return await self._entries(
            context, request, pb.MarkEntriesInvoicedResponse,
            lambda uow, principal: invoicing.mark_invoiced(uow, principal, request.invoice_id))

    async def ReleaseEntries(self, request, context) -> pb.ReleaseEntriesResponse:
        async def work(uow, principal):
            found = await invoicing.release(uow, principal, request.invoice_id)
            return pb.ReleaseEntriesResponse(entry_ids=[str(e.id) for e in found])

        return await self._tenant(context, request, pb.ReleaseEntriesResponse, work)
