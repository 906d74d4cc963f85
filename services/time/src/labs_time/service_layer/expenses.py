"""Expenses of a project: recorded by members, in a currency (the org's by default), billable or
not. An invoiced expense no longer changes. The project and the org are asked before the
transaction opens (`ask_*`, see asked.py)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import NotFound
from labs_common.etag import require_match
from labs_time.adapters import proto
from labs_time.adapters.directory import Directory, Organization, Project
from labs_time.domain import commands, rules
from labs_time.domain.model import Expense
from labs_time.service_layer.asked import SKIPPED, Answer, ask, passes
from labs_time.service_layer.entries import (
    ask_organization,
    open_project,
    require_staff,
    today_in,
)
from labs_time.service_layer.unit_of_work import TimeUnitOfWork


@dataclass(frozen=True)
class NewExpenseAnswers:
    project: Answer[Project]
    org: Answer[Organization]


async def ask_for_expense(directory: Directory, principal: Principal, project_id: uuid.UUID
                          ) -> NewExpenseAnswers:
    if not passes(lambda: require_staff(principal)):
        return NewExpenseAnswers(SKIPPED, SKIPPED)
    project, org = await asyncio.gather(
        ask(lambda: open_project(directory, principal, project_id)),
        ask_organization(directory, principal))
    return NewExpenseAnswers(project, org)


async def record_expense(command: commands.RecordExpense, uow: TimeUnitOfWork, *,
                         asked: NewExpenseAnswers) -> Expense:
    principal, fields = uow.caller, command.fields
    require_staff(principal)
    project = asked.project.get()
    org = asked.org.get()
    expense = Expense(
        id=uuid.uuid4(), org_id=principal.org_id, project_id=project.id,
        user_id=principal.user_id, description=rules.description(fields.description or ""),
        amount=rules.amount(fields.amount or ""),
        currency=rules.currency(fields.currency or project.currency or org.currency),
        expense_date=rules.work_date(fields.expense_date or today_in(org).isoformat(),
                                     today_in(org), "expense_date"),
        category=rules.category(fields.category or "other"),
        billable=True if fields.billable is None else fields.billable,
    )
    expense = await uow.expenses.add(expense)
    await uow.outbox.add("expense.recorded", proto.expense_changed(expense),
                         project_id=expense.project_id)
    return expense


async def _visible(uow: TimeUnitOfWork, principal: Principal, expense_id: uuid.UUID,
                   *, for_update: bool = False) -> Expense:
    expense = await uow.expenses.get(expense_id, for_update=for_update)
    if expense is None or not (expense.user_id == principal.user_id
                               or principal.role.at_least(Role.MANAGER)):
        raise NotFound("No such expense.", reason="EXPENSE_NOT_FOUND")
    return expense


async def get_expense(command: commands.GetExpense, uow: TimeUnitOfWork) -> Expense:
    require_staff(uow.caller)
    return await _visible(uow, uow.caller, command.id)


async def ask_for_list(directory: Directory, principal: Principal, project_id: uuid.UUID
                       ) -> Answer[Project]:
    """The project itself: 404 for another org's project."""
    if not passes(lambda: require_staff(principal)):
        return SKIPPED
    return await ask(lambda: directory.project(principal.token, project_id))


async def list_expenses(command: commands.ListExpenses, uow: TimeUnitOfWork, *,
                        asked: Answer[Project]) -> list[Expense]:
    principal = uow.caller
    require_staff(principal)
    asked.get()
    found = await uow.expenses.list(command.project_id, command.after, command.limit)
    if principal.role.at_least(Role.MANAGER):
        return found
    return [x for x in found if x.user_id == principal.user_id]


async def ask_for_change(directory: Directory, principal: Principal,
                         changes: commands.ExpenseChanges) -> Answer[Organization]:
    """The org's timezone, which bounds a new expense date; nothing else needs asking."""
    if changes.expense_date is None or not passes(lambda: require_staff(principal)):
        return SKIPPED
    return await ask_organization(directory, principal)


async def change_expense(command: commands.ChangeExpense, uow: TimeUnitOfWork, *,
                         asked: Answer[Organization]) -> Expense:
    principal, changes = uow.caller, command.changes
    require_staff(principal)
    expense = await _visible(uow, principal, command.expense_id, for_update=True)
    require_match(expense.etag, list(command.if_match), "expense")
    expense.ensure_editable()
    changed: list[str] = []
    if changes.description is not None:
        expense.description = rules.description(changes.description)
        changed.append("description")
    if changes.amount is not None:
        expense.amount = rules.amount(changes.amount)
        changed.append("amount")
    if changes.currency is not None:
        expense.currency = rules.currency(changes.currency)
        changed.append("currency")
    if changes.expense_date is not None:
        org = asked.get()
        expense.expense_date = rules.work_date(changes.expense_date, today_in(org),
                                               "expense_date")
        changed.append("expense_date")
    if changes.category is not None:
        expense.category = rules.category(changes.category)
        changed.append("category")
    if changes.billable is not None:
        expense.billable = changes.billable
        changed.append("billable")
    if not changed:
        return expense
    expense = await uow.expenses.save(expense)
    await uow.outbox.add("expense.updated", proto.expense_changed(expense, changed),
                         project_id=expense.project_id)
    return expense


async def delete_expense(command: commands.DeleteExpense, uow: TimeUnitOfWork) -> None:
    principal = uow.caller
    require_staff(principal)
    expense = await _visible(uow, principal, command.expense_id, for_update=True)
    require_match(expense.etag, list(command.if_match), "expense")
    expense.ensure_editable()
    await uow.expenses.delete(expense.id)
    await uow.outbox.add("expense.deleted", proto.expense_changed(expense),
                         project_id=expense.project_id)
