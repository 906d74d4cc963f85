"""Timesheet approvals: submit your range, approve or reject someone's (manager+), reopen
approved entries (admin+, with a reason that the activity feed keeps)."""

from __future__ import annotations

from fastapi import APIRouter

from labs.time.v1 import time_service_pb2 as pb
from labs_gateway.dependencies import IdempotentWrite
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.time_common import Time
from labs_gateway.schemas.proto_json import to_message
from labs_gateway.schemas.public import public
from labs_gateway.schemas.time import (
    EntriesReopen,
    TimeEntriesChanged,
    TimesheetApprove,
    TimesheetReject,
    TimesheetSubmit,
)

router = APIRouter(prefix="/time-entries", tags=["time"], responses=PROBLEM_RESPONSES,
                   route_class=ExactJsonRoute)


@router.post("/submit", response_model=TimeEntriesChanged, dependencies=[IdempotentWrite])
async def submit(body: TimesheetSubmit, time: Time):
    """Your draft entries in the range become submitted."""
    done = await time.SubmitTimeEntries(to_message(pb.SubmitTimeEntriesRequest, body.model_dump()))
    return TimeEntriesChanged(time_entries=[public(e) for e in done.entries])


@router.post("/approve", response_model=TimeEntriesChanged, dependencies=[IdempotentWrite])
async def approve(body: TimesheetApprove, time: Time):
    """A person's submitted entries in the range become approved and locked. Manager+."""
    done = await time.ApproveTimeEntries(
        to_message(pb.ApproveTimeEntriesRequest, body.model_dump()))
    return TimeEntriesChanged(time_entries=[public(e) for e in done.entries])


@router.post("/reject", response_model=TimeEntriesChanged, dependencies=[IdempotentWrite])
async def reject(body: TimesheetReject, time: Time):
    """A person's submitted entries in the range go back to draft, with a reason. Manager+."""
    done = await time.RejectTimeEntries(to_message(pb.RejectTimeEntriesRequest, body.model_dump()))
    return TimeEntriesChanged(time_entries=[public(e) for e in done.entries])


@router.post("/reopen", response_model=TimeEntriesChanged, dependencies=[IdempotentWrite])
async def reopen(body: EntriesReopen, time: Time):
    """Unlock approved entries, with a reason. Admin+; invoiced entries cannot reopen (409)."""
    done = await time.ReopenTimeEntries(to_message(pb.ReopenTimeEntriesRequest, body.model_dump()))
    return TimeEntriesChanged(time_entries=[public(e) for e in done.entries])
