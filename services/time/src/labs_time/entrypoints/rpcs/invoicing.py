"""The billing saga's RPCs, called by the invoicing service: list what is billable (entries, and
expenses when asked), reserve it for a draft invoice, then mark it invoiced or release it. The
same last two steps also run from billing's events (entrypoints/consumers.py)."""

from __future__ import annotations

from labs.time.v1 import time_service_pb2 as pb
from labs_common.parsing import uuid_of
from labs_time.adapters import proto
from labs_time.domain import commands
from labs_time.entrypoints.rpcs.base import ServicerBase
from labs_time.service_layer import invoicing


def _held(response_type):
    """The response that lists the entries and expenses an invoice holds, or a step moved."""
    return lambda held: response_type(entries=[proto.entry(e) for e in held.entries],
                                      expenses=[proto.expense(x) for x in held.expenses])


class InvoicingRpcs(ServicerBase):
    async def ListBillableEntries(self, request, context) -> pb.ListBillableEntriesResponse:
        """A project's billable entries (and expenses) in a period that no invoice holds yet."""
        command = commands.ListBillableEntries(uuid_of(request.project_id, "project_id"),
                                               request.period_start, request.period_end,
                                               include_expenses=request.include_expenses)
        return await self._handle(context, request, invoicing.list_billable, command,
                                  _held(pb.ListBillableEntriesResponse))

    async def ReserveEntries(self, request, context) -> pb.ReserveEntriesResponse:
        """Holds entries (and expenses) for a draft invoice (a repeat answers what it holds)."""
        command = commands.ReserveEntries(
            invoice_id=uuid_of(request.invoice_id, "invoice_id"),
            project_id=uuid_of(request.project_id, "project_id"),
            period_start=request.period_start,
            period_end=request.period_end,
            entry_ids=tuple(uuid_of(i, "entry_ids") for i in request.entry_ids),
            include_expenses=request.include_expenses,
        )
        return await self._handle(context, request, invoicing.reserve, command,
                                  _held(pb.ReserveEntriesResponse))

    async def MarkEntriesInvoiced(self, request, context) -> pb.MarkEntriesInvoicedResponse:
        """The invoice was issued: its entries are invoiced and locked."""
        command = commands.MarkEntriesInvoiced(uuid_of(request.invoice_id, "invoice_id"))
        return await self._handle(context, request, invoicing.mark_invoiced, command,
                                  _held(pb.MarkEntriesInvoicedResponse))

    async def ReleaseEntries(self, request, context) -> pb.ReleaseEntriesResponse:
        """The invoice was voided, deleted or failed: its entries and expenses are free again."""
        command = commands.ReleaseEntries(uuid_of(request.invoice_id, "invoice_id"))
        return await self._handle(
            context, request, invoicing.release, command,
            lambda freed: pb.ReleaseEntriesResponse(
                entry_ids=[str(e.id) for e in freed.entries],
                expense_ids=[str(x.id) for x in freed.expenses]),
        )
