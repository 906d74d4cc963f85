"""Timers: start (stopping any running one), stop, and the running one."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from labs.time.v1 import time_service_pb2 as pb
from labs_gateway.dependencies import IdempotentWrite
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.etags import set_etag
from labs_gateway.routes.time_common import Time
from labs_gateway.schemas.proto_json import to_message
from labs_gateway.schemas.public import public
from labs_gateway.schemas.time import TimeEntryPublic, TimerStart

router = APIRouter(prefix="/timers", tags=["time"], responses=PROBLEM_RESPONSES,
                   route_class=ExactJsonRoute)


@router.post("/start", status_code=status.HTTP_201_CREATED, response_model=TimeEntryPublic,
             dependencies=[IdempotentWrite])
async def start_timer(body: TimerStart, time: Time,
                      response: Response):
    """Start a timer; a timer already running for you is stopped first."""
    started = await time.StartTimer(to_message(pb.StartTimerRequest, body.model_dump()))
    set_etag(response, started.entry.etag)
    return public(started.entry)


@router.post("/stop", response_model=TimeEntryPublic, dependencies=[IdempotentWrite])
async def stop_timer(time: Time, response: Response):
    """Stop your timer; 409 when none runs. Across midnight it becomes one entry per day
    (this answers the last one)."""
    stopped = await time.StopTimer(pb.StopTimerRequest())
    set_etag(response, stopped.entry.etag)
    return public(stopped.entry)


@router.get("/current", response_model=TimeEntryPublic)
async def current_timer(time: Time):
    """Your running timer, or 404."""
    found = await time.GetCurrentTimer(pb.GetCurrentTimerRequest())
    return public(found.entry)
