"""Timers: one running per user, even when two devices start at the same instant."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from sqlalchemy import text
from time_helpers import join, project, rejected, signup

from labs.time.v1 import time_service_pb2 as pb

pytestmark = pytest.mark.integration


async def test_start_stop_and_current(clients):
    owner = await signup(clients)
    project_id = await project(clients, owner, override="120.00")
    none = await rejected(clients.time.GetCurrentTimer(pb.GetCurrentTimerRequest(),
                                                       metadata=owner.auth))
    assert none.code() == grpc.StatusCode.NOT_FOUND

    started = (await clients.time.StartTimer(pb.StartTimerRequest(
        project_id=project_id, notes="bugfix"), metadata=owner.auth)).entry
    assert started.is_running and started.hours == "" and started.source == "timer"
    assert started.billable_rate == "120.00"
    current = (await clients.time.GetCurrentTimer(pb.GetCurrentTimerRequest(),
                                                  metadata=owner.auth)).entry
    assert current.id == started.id

    stopped = await clients.time.StopTimer(pb.StopTimerRequest(), metadata=owner.auth)
    assert stopped.entry.id == started.id and not stopped.entry.is_running
    assert stopped.entry.hours == "0.01" and stopped.entry.notes == "bugfix"
    again = await rejected(clients.time.StopTimer(pb.StopTimerRequest(), metadata=owner.auth))
    assert again.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_starting_a_second_timer_stops_the_first(clients):
    owner = await signup(clients)
    first, second = await project(clients, owner), await project(clients, owner)
    one = (await clients.time.StartTimer(pb.StartTimerRequest(project_id=first),
                                         metadata=owner.auth)).entry
    two = await clients.time.StartTimer(pb.StartTimerRequest(project_id=second),
                                        metadata=owner.auth)
    assert [e.id for e in two.stopped] == [one.id]
    assert not two.stopped[0].is_running
    current = (await clients.time.GetCurrentTimer(pb.GetCurrentTimerRequest(),
                                                  metadata=owner.auth)).entry
    assert current.project_id == second


async def test_two_devices_starting_at_once_leave_exactly_one_running_timer(clients):
    owner = await signup(clients)
    colleague = await join(clients, owner, "member")
    project_id = await project(clients, owner)
    for _ in range(3):
        results = await asyncio.gather(*(
            clients.time.StartTimer(pb.StartTimerRequest(project_id=project_id),
                                    metadata=owner.auth) for _ in range(2)))
        assert all(r.entry.is_running for r in results)
    await clients.time.StartTimer(pb.StartTimerRequest(project_id=project_id),
                                  metadata=colleague.auth)
    listed = await clients.time.ListTimeEntries(pb.ListTimeEntriesRequest(
        user_id=owner.user_id), metadata=owner.auth)
    running = [e for e in listed.entries if e.is_running]
    assert len(listed.entries) == 6 and len(running) == 1
    current = (await clients.time.GetCurrentTimer(pb.GetCurrentTimerRequest(),
                                                  metadata=owner.auth)).entry
    assert current.id == running[0].id


async def test_a_timer_left_running_over_midnight_becomes_one_entry_per_day(clients):
    owner = await signup(clients)
    project_id = await project(clients, owner)
    started = (await clients.time.StartTimer(pb.StartTimerRequest(project_id=project_id),
                                             metadata=owner.auth)).entry
    # The only way to have a timer that started yesterday evening is to move its start back.
    async with clients.time_engine.begin() as db:
        await db.execute(text("SELECT set_config('labs.scope', 'system', true)"))
        moved = await db.execute(text(
            "UPDATE time_entries SET started_at = date_trunc('day', now() AT TIME ZONE 'UTC')"
            " AT TIME ZONE 'UTC' - interval '2 hours', date_worked = current_date - 1"
            " WHERE id = :id"), {"id": started.id})
        assert moved.rowcount == 1
    stopped = await clients.time.StopTimer(pb.StopTimerRequest(), metadata=owner.auth)
    days = [(e.date_worked, e.hours) for e in stopped.entries]
    assert len(days) == 2
    assert days[0][1] == "2.00"
    assert stopped.entries[0].id == started.id
    assert stopped.entries[0].ended_at == stopped.entries[1].started_at
