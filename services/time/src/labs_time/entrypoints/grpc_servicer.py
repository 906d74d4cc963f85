"""labs.time.v1.TimeService: map the request in, run one handler in one transaction, map the
result out. Errors are LabsErrors, turned into gRPC status by the error interceptor."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

from labs.time.v1 import time_service_pb2 as pb
from labs.time.v1 import time_service_pb2_grpc as pb_grpc
from labs_common.auth.principal import current_principal
from labs_common.db.uow import Scope
from labs_common.errors import InvalidArgument
from labs_common.grpc.transactions import run_in_transaction
from labs_common.pagination import decode_cursor, encode_cursor, page_size
from labs_time.adapters import proto
from labs_time.adapters.directory import Directory
from labs_time.adapters.repository import EntryFilter
from labs_time.domain import rules
from labs_time.entrypoints.import_worker import ImportWorker
from labs_time.service_layer import approvals, entries, expenses, imports, invoicing, timers
from labs_time.service_layer.unit_of_work import TimeUnitOfWork

UowFactory = Callable[[Scope], TimeUnitOfWork]


def _uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise InvalidArgument.on(field, "must be a UUID") from error


def _opt_uuid(value: str, field: str) -> uuid.UUID | None:
    return _uuid(value, field) if value else None


def _opt_date(value: str, field: str) -> date | None:
    return rules.parse_date(value, field) if value else None


def _ts(message, field: str) -> datetime:
    try:
        return message.ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError) as error:
        raise InvalidArgument.on(field, "must be a valid timestamp") from error


def _position(token: str) -> tuple[date, uuid.UUID] | None:
    position = decode_cursor(token, 2)
    if position is None:
        return None
    try:
        return date.fromisoformat(position[0]), uuid.UUID(position[1])
    except ValueError as error:
        raise InvalidArgument.on("cursor", "is not a cursor this API returned") from error


def _next(items: list, limit: int, key: Callable) -> str:
    if len(items) <= limit:
        return ""
    last = items[limit - 1]
    when, ident = key(last)
    return encode_cursor(when.isoformat(), str(ident))


class TimeServicer(pb_grpc.TimeServiceServicer):
    def __init__(self, uow: UowFactory, directory: Directory, worker: ImportWorker) -> None:
        self._uow = uow
        self._directory = directory
        self._worker = worker

    async def _tenant(self, context, request, response_type, work: Callable[..., Awaitable]):
        principal = current_principal()
        scope = Scope(org_id=principal.org_id, actor_id=principal.user_id)
        return await run_in_transaction(
            self._uow(scope), context, request, response_type, lambda uow: work(uow, principal)
        )

    # --- time entries -----------------------------------------------------------------------

    async def CreateTimeEntry(self, request, context) -> pb.CreateTimeEntryResponse:
        new = entries.NewEntry(
            project_id=_uuid(request.project_id, "project_id"),
            user_id=_opt_uuid(request.user_id, "user_id"),
            task_id=_opt_uuid(request.task_id, "task_id"),
            date_worked=request.date_worked, hours=request.hours,
            started_at=_ts(request.started_at, "started_at") if request.HasField("started_at")
            else None,
            ended_at=_ts(request.ended_at, "ended_at") if request.HasField("ended_at") else None,
            billable=request.billable if request.HasField("billable") else True,
            notes=request.notes,
        )

        async def work(uow, principal):
            entry = await entries.record_entry(uow, principal, self._directory, new)
            return pb.CreateTimeEntryResponse(entry=proto.entry(entry))

        return await self._tenant(context, request, pb.CreateTimeEntryResponse, work)

    async def GetTimeEntry(self, request, context) -> pb.GetTimeEntryResponse:
        entry_id = _uuid(request.id, "id")

        async def work(uow, principal):
            entry = await entries.get_entry(uow, principal, entry_id)
            return pb.GetTimeEntryResponse(entry=proto.entry(entry))

        return await self._tenant(context, request, pb.GetTimeEntryResponse, work)

    async def ListTimeEntries(self, request, context) -> pb.ListTimeEntriesResponse:
        limit = page_size(request.page_size)
        after = _position(request.page_token)
        where = EntryFilter(
            project_id=_opt_uuid(request.project_id, "project_id"),
            user_id=_opt_uuid(request.user_id, "user_id"),
            resource_id=_opt_uuid(request.resource_id, "resource_id"),
            task_id=_opt_uuid(request.task_id, "task_id"),
            date_from=_opt_date(request.date_from, "date_from"),
            date_to=_opt_date(request.date_to, "date_to"),
            billable=request.billable if request.HasField("billable") else None,
            invoiced=request.invoiced if request.HasField("invoiced") else None,
        )

        async def work(uow, principal):
            if where.project_id is not None:
                await self._directory.project(principal.token, where.project_id)
            found = await entries.list_entries(uow, principal, where, after, limit + 1)
            return pb.ListTimeEntriesResponse(
                entries=[proto.entry(e) for e in found[:limit]],
                next_page_token=_next(found, limit, lambda e: (e.date_worked, e.id)),
            )

        return await self._tenant(context, request, pb.ListTimeEntriesResponse, work)

    async def UpdateTimeEntry(self, request, context) -> pb.UpdateTimeEntryResponse:
        entry_id = _uuid(request.id, "id")
        task: uuid.UUID | str | None = None
        if request.HasField("task_id"):
            task = _uuid(request.task_id, "task_id") if request.task_id else ""
        changes = entries.EntryChanges(
            task_id=task,
            date_worked=request.date_worked if request.HasField("date_worked") else None,
            hours=request.hours if request.HasField("hours") else None,
            started_at=_ts(request.started_at, "started_at")
            if request.HasField("started_at") else None,
            ended_at=_ts(request.ended_at, "ended_at") if request.HasField("ended_at") else None,
            billable=request.billable if request.HasField("billable") else None,
            notes=request.notes if request.HasField("notes") else None,
        )

        async def work(uow, principal):
            entry = await entries.change_entry(uow, principal, self._directory, entry_id,
                                               changes, list(request.if_match_etags))
            return pb.UpdateTimeEntryResponse(entry=proto.entry(entry))

        return await self._tenant(context, request, pb.UpdateTimeEntryResponse, work)

    async def DeleteTimeEntry(self, request, context) -> pb.DeleteTimeEntryResponse:
        entry_id = _uuid(request.id, "id")

        async def work(uow, principal):
            await entries.delete_entry(uow, principal, entry_id, list(request.if_match_etags))
            return pb.DeleteTimeEntryResponse()

        return await self._tenant(context, request, pb.DeleteTimeEntryResponse, work)

    # --- timers -----------------------------------------------------------------------------

    async def StartTimer(self, request, context) -> pb.StartTimerResponse:
        project_id = _uuid(request.project_id, "project_id")
        task_id = _opt_uuid(request.task_id, "task_id")

        async def work(uow, principal):
            entry, stopped = await timers.start_timer(
                uow, principal, self._directory, project_id, task_id, request.notes)
            return pb.StartTimerResponse(entry=proto.entry(entry),
                                         stopped=[proto.entry(e) for e in stopped])

        return await self._tenant(context, request, pb.StartTimerResponse, work)

    async def StopTimer(self, request, context) -> pb.StopTimerResponse:
        async def work(uow, principal):
            finished = await timers.stop_timer(uow, principal, self._directory)
            return pb.StopTimerResponse(entry=proto.entry(finished[-1]),
                                        entries=[proto.entry(e) for e in finished])

        return await self._tenant(context, request, pb.StopTimerResponse, work)

    async def GetCurrentTimer(self, request, context) -> pb.GetCurrentTimerResponse:
        async def work(uow, principal):
            return pb.GetCurrentTimerResponse(
                entry=proto.entry(await timers.current_timer(uow, principal)))

        return await self._tenant(context, request, pb.GetCurrentTimerResponse, work)

    # --- approvals --------------------------------------------------------------------------

    async def SubmitTimeEntries(self, request, context) -> pb.SubmitTimeEntriesResponse:
        async def work(uow, principal):
            moved = await approvals.submit(uow, principal, self._directory, request.date_from,
                                           request.date_to)
            return pb.SubmitTimeEntriesResponse(entries=[proto.entry(e) for e in moved])

        return await self._tenant(context, request, pb.SubmitTimeEntriesResponse, work)

    async def ApproveTimeEntries(self, request, context) -> pb.ApproveTimeEntriesResponse:
        async def work(uow, principal):
            moved = await approvals.approve(uow, principal, self._directory, request.user_id,
                                            request.date_from, request.date_to)
            return pb.ApproveTimeEntriesResponse(entries=[proto.entry(e) for e in moved])

        return await self._tenant(context, request, pb.ApproveTimeEntriesResponse, work)

    async def RejectTimeEntries(self, request, context) -> pb.RejectTimeEntriesResponse:
        async def work(uow, principal):
            moved = await approvals.reject(uow, principal, self._directory, request.user_id,
                                           request.date_from, request.date_to, request.reason)
            return pb.RejectTimeEntriesResponse(entries=[proto.entry(e) for e in moved])

        return await self._tenant(context, request, pb.RejectTimeEntriesResponse, work)

    async def ReopenTimeEntries(self, request, context) -> pb.ReopenTimeEntriesResponse:
        async def work(uow, principal):
            moved = await approvals.reopen(uow, principal, list(request.entry_ids),
                                           request.reason)
            return pb.ReopenTimeEntriesResponse(entries=[proto.entry(e) for e in moved])

        return await self._tenant(context, request, pb.ReopenTimeEntriesResponse, work)

    # --- expenses ---------------------------------------------------------------------------

    @staticmethod
    def _expense_fields(request) -> expenses.ExpenseChanges:
        def given(name):
            return getattr(request, name) if request.HasField(name) else None

        return expenses.ExpenseChanges(
            description=given("description"), amount=given("amount"),
            currency=given("currency"), expense_date=given("expense_date"),
            category=given("category"), billable=given("billable"))

    async def CreateExpense(self, request, context) -> pb.CreateExpenseResponse:
        project_id = _uuid(request.project_id, "project_id")
        fields = expenses.ExpenseChanges(
            description=request.description, amount=request.amount, currency=request.currency,
            expense_date=request.expense_date, category=request.category,
            billable=request.billable if request.HasField("billable") else None)

        async def work(uow, principal):
            expense = await expenses.record_expense(uow, principal, self._directory, project_id,
                                                    fields)
            return pb.CreateExpenseResponse(expense=proto.expense(expense))

        return await self._tenant(context, request, pb.CreateExpenseResponse, work)

    async def GetExpense(self, request, context) -> pb.GetExpenseResponse:
        expense_id = _uuid(request.id, "id")

        async def work(uow, principal):
            expense = await expenses.get_expense(uow, principal, expense_id)
            return pb.GetExpenseResponse(expense=proto.expense(expense))

        return await self._tenant(context, request, pb.GetExpenseResponse, work)

    async def ListExpenses(self, request, context) -> pb.ListExpensesResponse:
        project_id = _uuid(request.project_id, "project_id")
        limit = page_size(request.page_size)
        after = _position(request.page_token)

        async def work(uow, principal):
            found = await expenses.list_expenses(uow, principal, self._directory, project_id,
                                                 after, limit + 1)
            return pb.ListExpensesResponse(
                expenses=[proto.expense(x) for x in found[:limit]],
                next_page_token=_next(found, limit, lambda x: (x.expense_date, x.id)))

        return await self._tenant(context, request, pb.ListExpensesResponse, work)

    async def UpdateExpense(self, request, context) -> pb.UpdateExpenseResponse:
        expense_id = _uuid(request.id, "id")
        changes = self._expense_fields(request)

        async def work(uow, principal):
            expense = await expenses.change_expense(uow, principal, self._directory, expense_id,
                                                    changes, list(request.if_match_etags))
            return pb.UpdateExpenseResponse(expense=proto.expense(expense))

        return await self._tenant(context, request, pb.UpdateExpenseResponse, work)

    async def DeleteExpense(self, request, context) -> pb.DeleteExpenseResponse:
        expense_id = _uuid(request.id, "id")

        async def work(uow, principal):
            await expenses.delete_expense(uow, principal, expense_id,
                                          list(request.if_match_etags))
            return pb.DeleteExpenseResponse()

        return await self._tenant(context, request, pb.DeleteExpenseResponse, work)

    # --- billing saga -----------------------------------------------------------------------

    async def ListBillableEntries(self, request, context) -> pb.ListBillableEntriesResponse:
        async def work(uow, principal):
            found = await invoicing.list_billable(uow, principal, request.project_id,
                                                  request.period_start, request.period_end)
            return pb.ListBillableEntriesResponse(entries=[proto.entry(e) for e in found])

        return await self._tenant(context, request, pb.ListBillableEntriesResponse, work)

    async def ReserveEntries(self, request, context) -> pb.ReserveEntriesResponse:
        async def work(uow, principal):
            found = await invoicing.reserve(uow, principal, request.invoice_id,
                                            request.project_id, request.period_start,
                                            request.period_end, list(request.entry_ids))
            return pb.ReserveEntriesResponse(entries=[proto.entry(e) for e in found])

        return await self._tenant(context, request, pb.ReserveEntriesResponse, work)

    async def MarkEntriesInvoiced(self, request, context) -> pb.MarkEntriesInvoicedResponse:
        async def work(uow, principal):
            found = await invoicing.mark_invoiced(uow, principal, request.invoice_id)
            return pb.MarkEntriesInvoicedResponse(entries=[proto.entry(e) for e in found])

        return await self._tenant(context, request, pb.MarkEntriesInvoicedResponse, work)

    async def ReleaseEntries(self, request, context) -> pb.ReleaseEntriesResponse:
        async def work(uow, principal):
            found = await invoicing.release(uow, principal, request.invoice_id)
            return pb.ReleaseEntriesResponse(entry_ids=[str(e.id) for e in found])

        return await self._tenant(context, request, pb.ReleaseEntriesResponse, work)

    # --- CSV import -------------------------------------------------------------------------

    async def CreateImport(self, request, context) -> pb.CreateImportResponse:
        async def work(uow, principal):
            job_id = await imports.create_job(uow, principal, request.create_missing)
            return pb.CreateImportResponse(job_id=str(job_id))

        return await self._tenant(context, request, pb.CreateImportResponse, work)

    async def AppendImportChunk(self, request, context) -> pb.AppendImportChunkResponse:
        job_id = _uuid(request.job_id, "job_id")

        async def work(uow, principal):
            await imports.append_chunk(uow, principal, job_id, request.seq, request.chunk)
            return pb.AppendImportChunkResponse()

        return await self._tenant(context, request, pb.AppendImportChunkResponse, work)

    async def StartImport(self, request, context) -> pb.StartImportResponse:
        job_id = _uuid(request.job_id, "job_id")

        async def work(uow, principal):
            row = await imports.start_job(uow, principal, job_id)
            return pb.StartImportResponse(job=proto.import_job(row))

        response = await self._tenant(context, request, pb.StartImportResponse, work)
        self._worker.wake(job_id)
        return response

    async def GetImportJob(self, request, context) -> pb.GetImportJobResponse:
        job_id = _uuid(request.id, "id")

        async def work(uow, principal):
            return pb.GetImportJobResponse(
                job=proto.import_job(await imports.get_job(uow, principal, job_id)))

        return await self._tenant(context, request, pb.GetImportJobResponse, work)
