"""Expense RPCs: create, get, list, update, delete. What other services know (the project, the
org) is asked before the transaction opens and handed to the handler beside its command."""

from __future__ import annotations

import uuid
from datetime import date
from functools import partial

from labs.time.v1 import time_service_pb2 as pb
from labs_common.auth.principal import current_principal
from labs_common.pagination import page_size, position
from labs_common.parsing import given, uuid_of
from labs_time.adapters import proto
from labs_time.domain import commands
from labs_time.entrypoints.rpcs.base import ServicerBase
from labs_time.service_layer import expenses

CHANGEABLE = ("description", "amount", "currency", "expense_date", "category", "billable")


def _expense(response_type):
    return lambda expense: response_type(expense=proto.expense(expense))


class ExpenseRpcs(ServicerBase):
    async def CreateExpense(self, request, context) -> pb.CreateExpenseResponse:
        """Records an expense of a project (currency: the project's, else the org's)."""
        command = commands.RecordExpense(
            project_id=uuid_of(request.project_id, "project_id"),
            fields=commands.ExpenseChanges(
                description=request.description, amount=request.amount,
                currency=request.currency, expense_date=request.expense_date,
                category=request.category, billable=given(request, "billable")),
        )
        asked = await expenses.ask_for_expense(self._directory, current_principal(),
                                               command.project_id)
        return await self._handle(context, request,
                                  partial(expenses.record_expense, asked=asked), command,
                                  _expense(pb.CreateExpenseResponse))

    async def GetExpense(self, request, context) -> pb.GetExpenseResponse:
        """One expense (one's own; managers: any)."""
        return await self._get_one(context, request, expenses.get_expense, commands.GetExpense,
                                   _expense(pb.GetExpenseResponse))

    async def ListExpenses(self, request, context) -> pb.ListExpensesResponse:
        """A project's expenses by date, a page at a time."""
        limit = page_size(request.page_size)
        command = commands.ListExpenses(uuid_of(request.project_id, "project_id"),
                                        position(request.page_token, date, uuid.UUID), limit + 1)
        project = await expenses.ask_for_list(self._directory, current_principal(),
                                              command.project_id)
        return await self._handle_page(
            context, request, partial(expenses.list_expenses, asked=project), command, limit,
            expenses=proto.expense, key=lambda x: (x.expense_date, x.id))

    async def UpdateExpense(self, request, context) -> pb.UpdateExpenseResponse:
        """Changes the fields present, if the etag still matches and it is not invoiced."""
        command = commands.ChangeExpense(
            expense_id=uuid_of(request.id, "id"),
            changes=commands.ExpenseChanges(**{name: given(request, name) for name in CHANGEABLE}),
            if_match=tuple(request.if_match_etags),
        )
        org = await expenses.ask_for_change(self._directory, current_principal(), command.changes)
        return await self._handle(context, request,
                                  partial(expenses.change_expense, asked=org), command,
                                  _expense(pb.UpdateExpenseResponse))

    async def DeleteExpense(self, request, context) -> pb.DeleteExpenseResponse:
        """Removes an expense that is not invoiced."""
        command = commands.DeleteExpense(uuid_of(request.id, "id"), tuple(request.if_match_etags))
        return await self._handle(context, request, expenses.delete_expense, command)
