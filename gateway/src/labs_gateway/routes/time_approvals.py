"""Timesheet approvals: submit your range, approve or reject someone's (manager+), reopen
approved entries (admin+, with a reason that the activity feed keeps)."""

from __future__ import annotations

from fastapi import APIRouter

from labs.time.v1 import time_service_pb2 as pb
from labs_gateway.dependencies import IdempotentWrite
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.time_common import Time
from labs_gateway.schemas.time import (
    EntriesReopen,
    TimeEntriesChanged,
    TimesheetApprove,
    TimesheetReject,
    TimesheetSubmit,
)
from labs_gateway.schemas.time_mapping import entry_public

router = APIRouter(prefix="/time-entries", tags=["time"], responses=PROBLEM_RESPONSES)


@router.post("/submit", response_model=TimeEntriesChanged, dependencies=[IdempotentWrite])
async def submit(body: TimesheetSubmit, time: Time):
    """Your draft entries in the range become submitted."""
    done = await time.SubmitTimeEntries(pb.SubmitTimeEntriesRequest(
        date_from=body.date_from, date_to=body.date_to))
    return TimeEntriesChanged(time_entries=[entry_public(e) for e in done.entries])


@router.post("/approve", response_model=TimeEntriesChanged, dependencies=[IdempotentWrite])
async def approve(body: TimesheetApprove, time: Time):
    """A person's submitted entries in the range become approved and locked. Manager+."""
    done = await time.ApproveTimeEntries(pb.ApproveTimeEntriesRequest(
        user_id=body.user_id, date_from=body.date_from, date_to=body.date_to))
    return TimeEntriesChanged(time_entries=[entry_public(e) for e in done.entries])


@router.post("/reject", response_model=TimeEntriesChanged, dependencies=[IdempotentWrite])
async def reject(body: TimesheetReject, time: Time):
    """A person's submitted entries in the range go back to draft, with a reason. Manager+."""
    done = await time.RejectTimeEntries(pb.RejectTimeEntriesRequest(
        user_id=body.user_id, date_from=body.date_from, date_to=body.date_to,
        reason=body.reason))
    return TimeEntriesChanged(time_entries=[entry_public(e) for e in done.entries])


@router.post("/reopen", response_model=TimeEntriesChanged, dependencies=[IdempotentWrite])
async def reopen(body: EntriesReopen, time: Time):
    """Unlock approved entries, with a reason. Admin+; invoiced entries cannot reopen (409)."""
    done = await time.ReopenTimeEntries(pb.ReopenTimeEntriesRequest(
        entry_ids=body.entry_ids, reason=body.reason))
    return TimeEntriesChanged(time_entries=[entry_public(e) for e in done.entries])
