"""Project expenses: record, list, read, change (If-Match) and delete."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from labs.time.v1 import time_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_gateway.dependencies import IdempotentWrite, IfMatch
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.etags import if_match_etags, set_etag
from labs_gateway.routes.time_common import Cursor, Limit, Time
from labs_gateway.schemas.proto_json import to_message
from labs_gateway.schemas.public import public
from labs_gateway.schemas.time import ExpenseCreate, ExpenseList, ExpensePublic, ExpenseUpdate

router = APIRouter(route_class=ExactJsonRoute, tags=["time"], responses=PROBLEM_RESPONSES)
ProjectId = Annotated[uuid.UUID, Path(alias="id")]
ExpenseId = Annotated[uuid.UUID, Path(alias="id")]


@router.post("/projects/{id}/expenses", status_code=status.HTTP_201_CREATED,
             response_model=ExpensePublic, dependencies=[IdempotentWrite])
async def create_expense(project_id: ProjectId, body: ExpenseCreate, time: Time,
                         response: Response):
    """Record an expense on a project, billable unless said otherwise."""
    created = await time.CreateExpense(to_message(
        pb.CreateExpenseRequest, {"project_id": project_id, **body.model_dump()}))
    set_etag(response, created.expense.etag)
    return public(created.expense)


@router.get("/projects/{id}/expenses", response_model=ExpenseList)
async def list_expenses(project_id: ProjectId, time: Time,
                        limit: Limit = 50, cursor: Cursor = None):
    """A project's expenses, newest first."""
    page = await time.ListExpenses(pb.ListExpensesRequest(
        project_id=str(project_id), page_size=limit, page_token=cursor or ""))
    return ExpenseList(expenses=[public(x) for x in page.expenses],
                       next_cursor=page.next_page_token or None)


@router.get("/expenses/{id}", response_model=ExpensePublic)
async def get_expense(expense_id: ExpenseId, time: Time,
                      response: Response):
    """One expense."""
    found = await time.GetExpense(pb.GetExpenseRequest(id=str(expense_id)))
    set_etag(response, found.expense.etag)
    return public(found.expense)


@router.patch("/expenses/{id}", response_model=ExpensePublic, dependencies=[IdempotentWrite])
async def update_expense(expense_id: ExpenseId, body: ExpenseUpdate, time: Time, response: Response,
                         if_match: IfMatch = None):
    """Change the given fields; an invoiced expense answers 409."""
    given = body.model_fields_set
    if not given:
        raise InvalidArgument.on("body", "Give at least one field to change.")
    for name in sorted(given):
        if getattr(body, name) is None:
            raise InvalidArgument.on(name, "must not be null")
    request = to_message(pb.UpdateExpenseRequest, {
        "id": expense_id, "if_match_etags": if_match_etags(if_match),
        **body.model_dump(include=given)})
    updated = await time.UpdateExpense(request)
    set_etag(response, updated.expense.etag)
    return public(updated.expense)


@router.delete("/expenses/{id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, dependencies=[IdempotentWrite])
async def delete_expense(expense_id: ExpenseId, time: Time,
                         if_match: IfMatch = None) -> Response:
    """Delete an expense; an invoiced one answers 409."""
    await time.DeleteExpense(pb.DeleteExpenseRequest(
        id=str(expense_id), if_match_etags=if_match_etags(if_match)))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
