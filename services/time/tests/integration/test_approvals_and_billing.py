"""Approvals lock time; billing reserves entries so none is ever on two invoices."""

from __future__ import annotations

import asyncio
import uuid

import grpc
import pytest
from time_helpers import field_of, join, project, rejected, signup

from labs.time.v1 import time_service_pb2 as pb

pytestmark = pytest.mark.integration

WEEK = {"date_from": "2026-03-02", "date_to": "2026-03-08"}


async def log(clients, person, project_id, day="2026-03-03", hours="2", billable=True):
    return (await clients.time.CreateTimeEntry(pb.CreateTimeEntryRequest(
        project_id=project_id, hours=hours, date_worked=day, billable=billable),
        metadata=person.auth)).entry


async def test_a_manager_approves_a_submitted_week_which_then_locks(clients):
    owner = await signup(clients)
    manager = await join(clients, owner, "manager")
    member = await join(clients, owner, "member")
    project_id = await project(clients, owner)
    inside = await log(clients, member, project_id)
    outside = await log(clients, member, project_id, day="2026-03-10")

    submitted = await clients.time.SubmitTimeEntries(pb.SubmitTimeEntriesRequest(**WEEK),
                                                     metadata=member.auth)
    assert [e.id for e in submitted.entries] == [inside.id]

    refused = await rejected(clients.time.ApproveTimeEntries(pb.ApproveTimeEntriesRequest(
        user_id=member.user_id, **WEEK), metadata=member.auth))
    assert refused.code() == grpc.StatusCode.PERMISSION_DENIED

    approved = await clients.time.ApproveTimeEntries(pb.ApproveTimeEntriesRequest(
        user_id=member.user_id, **WEEK), metadata=manager.auth)
    (entry,) = approved.entries
    assert entry.status == pb.ENTRY_STATUS_APPROVED and entry.is_locked

    for call in (
        clients.time.UpdateTimeEntry(pb.UpdateTimeEntryRequest(id=inside.id, notes="x"),
                                     metadata=member.auth),
        clients.time.DeleteTimeEntry(pb.DeleteTimeEntryRequest(id=inside.id),
                                     metadata=manager.auth),
    ):
        assert (await rejected(call)).code() == grpc.StatusCode.FAILED_PRECONDITION
    still = (await clients.time.GetTimeEntry(pb.GetTimeEntryRequest(id=outside.id),
                                             metadata=member.auth)).entry
    assert still.status == pb.ENTRY_STATUS_DRAFT


async def test_a_rejection_needs_a_reason_and_sends_entries_back_to_draft(clients):
    owner = await signup(clients)
    member = await join(clients, owner, "member")
    project_id = await project(clients, owner)
    await log(clients, member, project_id)
    await clients.time.SubmitTimeEntries(pb.SubmitTimeEntriesRequest(**WEEK),
                                         metadata=member.auth)
    no_reason = await rejected(clients.time.RejectTimeEntries(pb.RejectTimeEntriesRequest(
        user_id=member.user_id, **WEEK), metadata=owner.auth))
    assert field_of(no_reason) == "reason"
    back = await clients.time.RejectTimeEntries(pb.RejectTimeEntriesRequest(
        user_id=member.user_id, reason="split by task please", **WEEK), metadata=owner.auth)
    assert [e.status for e in back.entries] == [pb.ENTRY_STATUS_DRAFT]


async def test_only_admins_reopen_and_invoiced_entries_never_do(clients):
    owner = await signup(clients)
    manager = await join(clients, owner, "manager")
    project_id = await project(clients, owner)
    entry = await log(clients, owner, project_id)
    billed = await log(clients, owner, project_id, day="2026-03-04")
    await clients.time.SubmitTimeEntries(pb.SubmitTimeEntriesRequest(**WEEK),
                                         metadata=owner.auth)
    await clients.time.ApproveTimeEntries(pb.ApproveTimeEntriesRequest(
        user_id=owner.user_id, **WEEK), metadata=owner.auth)

    by_manager = await rejected(clients.time.ReopenTimeEntries(pb.ReopenTimeEntriesRequest(
        entry_ids=[entry.id], reason="typo"), metadata=manager.auth))
    assert by_manager.code() == grpc.StatusCode.PERMISSION_DENIED

    invoice = str(uuid.uuid4())
    await clients.time.ReserveEntries(pb.ReserveEntriesRequest(
        invoice_id=invoice, project_id=project_id, period_start="2026-03-04",
        period_end="2026-03-04"), metadata=owner.auth)
    both = await rejected(clients.time.ReopenTimeEntries(pb.ReopenTimeEntriesRequest(
        entry_ids=[entry.id, billed.id], reason="typo"), metadata=owner.auth))
    assert both.code() == grpc.StatusCode.FAILED_PRECONDITION

    reopened = await clients.time.ReopenTimeEntries(pb.ReopenTimeEntriesRequest(
        entry_ids=[entry.id], reason="typo in notes"), metadata=owner.auth)
    (one,) = reopened.entries
    assert not one.is_locked and one.status == pb.ENTRY_STATUS_DRAFT
    await clients.time.UpdateTimeEntry(pb.UpdateTimeEntryRequest(id=entry.id, notes="fixed"),
                                       metadata=owner.auth)


async def test_billing_reserves_marks_and_releases_idempotently(clients):
    owner = await signup(clients)
    project_id = await project(clients, owner, override="100.00")
    billable = [await log(clients, owner, project_id, day=f"2026-03-0{d}") for d in (2, 3)]
    await log(clients, owner, project_id, billable=False)
    await log(clients, owner, project_id, day="2026-04-01")
    period = {"project_id": project_id, "period_start": "2026-03-01", "period_end": "2026-03-31"}

    listed = await clients.time.ListBillableEntries(pb.ListBillableEntriesRequest(**period),
                                                    metadata=owner.auth)
    assert {e.id for e in listed.entries} == {e.id for e in billable}

    invoice = str(uuid.uuid4())
    first = await clients.time.ReserveEntries(pb.ReserveEntriesRequest(
        invoice_id=invoice, **period), metadata=owner.auth)
    again = await clients.time.ReserveEntries(pb.ReserveEntriesRequest(
        invoice_id=invoice, **period), metadata=owner.auth)
    assert {e.id for e in first.entries} == {e.id for e in again.entries} == \
        {e.id for e in billable}
    locked = await rejected(clients.time.UpdateTimeEntry(pb.UpdateTimeEntryRequest(
        id=billable[0].id, notes="x"), metadata=owner.auth))
    assert locked.code() == grpc.StatusCode.FAILED_PRECONDITION

    marked = await clients.time.MarkEntriesInvoiced(pb.MarkEntriesInvoicedRequest(
        invoice_id=invoice), metadata=owner.auth)
    assert all(e.invoiced and e.invoice_id == invoice for e in marked.entries)
    invoiced = await clients.time.ListTimeEntries(pb.ListTimeEntriesRequest(
        project_id=project_id, invoiced=True), metadata=owner.auth)
    assert len(invoiced.entries) == 2

    released = await clients.time.ReleaseEntries(pb.ReleaseEntriesRequest(invoice_id=invoice),
                                                 metadata=owner.auth)
    assert len(released.entry_ids) == 2
    assert (await clients.time.ReleaseEntries(pb.ReleaseEntriesRequest(invoice_id=invoice),
                                              metadata=owner.auth)).entry_ids == []
    free = await clients.time.ListBillableEntries(pb.ListBillableEntriesRequest(**period),
                                                  metadata=owner.auth)
    assert len(free.entries) == 2


async def test_concurrent_invoice_generation_never_puts_an_entry_on_two_invoices(clients):
    owner = await signup(clients)
    project_id = await project(clients, owner)
    for day in range(1, 10):
        await log(clients, owner, project_id, day=f"2026-05-0{day}")
    period = {"project_id": project_id, "period_start": "2026-05-01", "period_end": "2026-05-31"}
    invoices = [str(uuid.uuid4()) for _ in range(4)]
    results = await asyncio.gather(*(
        clients.time.ReserveEntries(pb.ReserveEntriesRequest(invoice_id=i, **period),
                                    metadata=owner.auth) for i in invoices))
    taken = [e.id for r in results for e in r.entries]
    assert len(taken) == 9 and len(set(taken)) == 9

    explicit = await asyncio.gather(*(
        clients.time.ReserveEntries(pb.ReserveEntriesRequest(
            invoice_id=str(uuid.uuid4()), entry_ids=taken[:2], **period), metadata=owner.auth)
        for _ in range(2)), return_exceptions=True)
    assert all(isinstance(r, grpc.aio.AioRpcError) for r in explicit)


async def test_members_cannot_drive_billing(clients):
    owner = await signup(clients)
    member = await join(clients, owner, "member")
    project_id = await project(clients, owner)
    error = await rejected(clients.time.ReserveEntries(pb.ReserveEntriesRequest(
        invoice_id=str(uuid.uuid4()), project_id=project_id, period_start="2026-01-01",
        period_end="2026-01-31"), metadata=member.auth))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
