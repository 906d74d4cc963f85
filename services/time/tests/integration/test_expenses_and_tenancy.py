"""Expenses, and another organization's objects answering NOT_FOUND on every RPC."""

from __future__ import annotations

import uuid

import grpc
import pytest
from time_helpers import field_of, join, project, rejected, signup

from labs.time.v1 import time_service_pb2 as pb

pytestmark = pytest.mark.integration


async def test_expenses_record_change_and_delete(clients):
    owner = await signup(clients)
    project_id = await project(clients, owner, currency="EUR")
    created = (await clients.time.CreateExpense(pb.CreateExpenseRequest(
        project_id=project_id, description="Figma seat", amount="45.00", category="software",
        expense_date="2026-02-01"), metadata=owner.auth)).expense
    assert (created.amount, created.currency, created.billable) == ("45.00", "EUR", True)

    changed = (await clients.time.UpdateExpense(pb.UpdateExpenseRequest(
        id=created.id, amount="50.5", billable=False), metadata=owner.auth)).expense
    assert (changed.amount, changed.billable, changed.description) == \
        ("50.50", False, "Figma seat")
    listed = await clients.time.ListExpenses(pb.ListExpensesRequest(project_id=project_id),
                                             metadata=owner.auth)
    assert [x.id for x in listed.expenses] == [created.id]
    await clients.time.DeleteExpense(pb.DeleteExpenseRequest(id=created.id), metadata=owner.auth)
    gone = await rejected(clients.time.GetExpense(pb.GetExpenseRequest(id=created.id),
                                                  metadata=owner.auth))
    assert gone.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(("fields", "field"), [
    ({"amount": "-3"}, "amount"),
    ({"amount": "abc"}, "amount"),
    ({"amount": "3", "category": "food"}, "category"),
    ({"amount": "3", "currency": "EURO"}, "currency"),
    ({"amount": "3", "description": " "}, "description"),
    ({"amount": "3", "expense_date": "3000-01-01"}, "expense_date"),
])
async def test_bad_expenses_name_the_field(clients, fields, field):
    owner = await signup(clients)
    project_id = await project(clients, owner)
    body = {"description": "Train", "category": "travel", **fields}
    error = await rejected(clients.time.CreateExpense(pb.CreateExpenseRequest(
        project_id=project_id, **body), metadata=owner.auth))
    assert field_of(error) == field


async def test_another_organizations_objects_are_not_found_everywhere(clients):
    owner = await signup(clients)
    project_id = await project(clients, owner)
    entry = (await clients.time.CreateTimeEntry(pb.CreateTimeEntryRequest(
        project_id=project_id, hours="1", date_worked="2026-03-03"), metadata=owner.auth)).entry
    expense = (await clients.time.CreateExpense(pb.CreateExpenseRequest(
        project_id=project_id, description="Taxi", amount="20", category="travel"),
        metadata=owner.auth)).expense
    await clients.time.StartTimer(pb.StartTimerRequest(project_id=project_id),
                                  metadata=owner.auth)

    stranger = await signup(clients)
    auth = stranger.auth
    not_found = [
        clients.time.CreateTimeEntry(pb.CreateTimeEntryRequest(project_id=project_id, hours="1"),
                                     metadata=auth),
        clients.time.ListTimeEntries(pb.ListTimeEntriesRequest(project_id=project_id),
                                     metadata=auth),
        clients.time.GetTimeEntry(pb.GetTimeEntryRequest(id=entry.id), metadata=auth),
        clients.time.UpdateTimeEntry(pb.UpdateTimeEntryRequest(id=entry.id, notes="x"),
                                     metadata=auth),
        clients.time.DeleteTimeEntry(pb.DeleteTimeEntryRequest(id=entry.id), metadata=auth),
        clients.time.StartTimer(pb.StartTimerRequest(project_id=project_id), metadata=auth),
        clients.time.GetCurrentTimer(pb.GetCurrentTimerRequest(), metadata=auth),
        clients.time.ReopenTimeEntries(pb.ReopenTimeEntriesRequest(
            entry_ids=[entry.id], reason="mine now"), metadata=auth),
        clients.time.CreateExpense(pb.CreateExpenseRequest(
            project_id=project_id, description="x", amount="1", category="other"),
            metadata=auth),
        clients.time.ListExpenses(pb.ListExpensesRequest(project_id=project_id), metadata=auth),
        clients.time.GetExpense(pb.GetExpenseRequest(id=expense.id), metadata=auth),
        clients.time.UpdateExpense(pb.UpdateExpenseRequest(id=expense.id, amount="2"),
                                   metadata=auth),
        clients.time.DeleteExpense(pb.DeleteExpenseRequest(id=expense.id), metadata=auth),
    ]
    for call in not_found:
        assert (await rejected(call)).code() == grpc.StatusCode.NOT_FOUND

    # Lists and bulk steps see nothing of the other org and change nothing there.
    assert list((await clients.time.ListTimeEntries(pb.ListTimeEntriesRequest(),
                                                    metadata=auth)).entries) == []
    period = {"project_id": project_id, "period_start": "2026-03-01", "period_end": "2026-03-31"}
    assert list((await clients.time.ListBillableEntries(
        pb.ListBillableEntriesRequest(**period), metadata=auth)).entries) == []
    assert list((await clients.time.ReserveEntries(pb.ReserveEntriesRequest(
        invoice_id=str(uuid.uuid4()), **period), metadata=auth)).entries) == []
    week = {"date_from": "2026-03-02", "date_to": "2026-03-08"}
    assert list((await clients.time.ApproveTimeEntries(pb.ApproveTimeEntriesRequest(
        user_id=owner.user_id, **week), metadata=auth)).entries) == []
    untouched = (await clients.time.GetTimeEntry(pb.GetTimeEntryRequest(id=entry.id),
                                                 metadata=owner.auth)).entry
    assert untouched.notes == "" and untouched.invoice_id == ""


async def test_viewers_and_clients_do_not_log_time(clients):
    owner = await signup(clients)
    viewer = await join(clients, owner, "viewer")
    project_id = await project(clients, owner)
    error = await rejected(clients.time.CreateTimeEntry(pb.CreateTimeEntryRequest(
        project_id=project_id, hours="1"), metadata=viewer.auth))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
