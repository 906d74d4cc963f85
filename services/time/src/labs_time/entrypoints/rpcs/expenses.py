"""Expense RPCs: create, get, list, update, delete."""

from __future__ import annotations

import uuid
from datetime import date

from labs.time.v1 import time_service_pb2 as pb
from labs_common.auth.principal import current_principal
from labs_common.pagination import next_page_token, page_size, position
from labs_common.parsing import given, uuid_of
from labs_time.adapters import proto
from labs_time.entrypoints.rpcs.base import ServicerBase
from labs_time.service_layer import expenses


class ExpenseRpcs(ServicerBase):
    async def CreateExpense(self, request, context) -> pb.CreateExpenseResponse:
        project_id = uuid_of(request.project_id, "project_id")
        fields = expenses.ExpenseChanges(
            description=request.description, amount=request.amount, currency=request.currency,
            expense_date=request.expense_date, category=request.category,
            billable=given(request, "billable"))

        # The project and the org are asked before the transaction opens.
        asked = await expenses.ask_for_expense(self._directory, current_principal(), project_id)

        async def work(uow, principal):
            expense = await expenses.record_expense(uow, principal, asked, fields)
            return pb.CreateExpenseResponse(expense=proto.expense(expense))

        return await self._tenant(context, request, pb.CreateExpenseResponse, work)

    async def GetExpense(self, request, context) -> pb.GetExpenseResponse:
        expense_id = uuid_of(request.id, "id")

        async def work(uow, principal):
            expense = await expenses.get_expense(uow, principal, expense_id)
            return pb.GetExpenseResponse(expense=proto.expense(expense))

        return await self._tenant(context, request, pb.GetExpenseResponse, work)

    async def ListExpenses(self, request, context) -> pb.ListExpensesResponse:
        project_id = uuid_of(request.project_id, "project_id")
        limit = page_size(request.page_size)
        after = position(request.page_token, date, uuid.UUID)

        project = await expenses.ask_for_list(self._directory, current_principal(), project_id)

        async def work(uow, principal):
            found = await expenses.list_expenses(uow, principal, project, project_id, after,
                                                 limit + 1)
            return pb.ListExpensesResponse(
                expenses=[proto.expense(x) for x in found[:limit]],
                next_page_token=next_page_token(found, limit, lambda x: (x.expense_date, x.id)))

        return await self._tenant(context, request, pb.ListExpensesResponse, work)

    async def UpdateExpense(self, request, context) -> pb.UpdateExpenseResponse:
        expense_id = uuid_of(request.id, "id")
        changes = expenses.ExpenseChanges(**{
            name: given(request, name) for name in
            ("description", "amount", "currency", "expense_date", "category", "billable")})

        org = await expenses.ask_for_change(self._directory, current_principal(), changes)

        async def work(uow, principal):
            expense = await expenses.change_expense(uow, principal, org, expense_id, changes,
                                                    list(request.if_match_etags))
            return pb.UpdateExpenseResponse(expense=proto.expense(expense))

        return await self._tenant(context, request, pb.UpdateExpenseResponse, work)

    async def DeleteExpense(self, request, context) -> pb.DeleteExpenseResponse:
        expense_id = uuid_of(request.id, "id")

        async def work(uow, principal):
            await expenses.delete_expense(uow, principal, expense_id,
                                          list(request.if_match_etags))
            return pb.DeleteExpenseResponse()

        return await self._tenant(context, request, pb.DeleteExpenseResponse, work)
