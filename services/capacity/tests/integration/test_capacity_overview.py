"""The overview: weeks from Monday, time off and holidays taking hours away, tentative apart, and
over-allocation announced once per resource-week."""

from __future__ import annotations

import asyncio

import nats
import pytest
from capacity_helpers import (
    allocate,
    bearer,
    collect_until,
    create_project,
    create_resource,
    join_as,
    rpc_error,
    signup,
)
from google.protobuf import field_mask_pb2

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs.capacity.v1 import events_pb2
from labs.identity.v1 import identity_service_pb2 as identity_pb

pytestmark = pytest.mark.integration


async def overview(stub, session, start_week: str, weeks: int) -> pb.GetCapacityOverviewResponse:
    return await stub.GetCapacityOverview(
        pb.GetCapacityOverviewRequest(start_week=start_week, weeks=weeks),
        metadata=bearer(session.access_token),
    )


async def time_off(stub, session, resource_id, start, end, hours=""):
    return await stub.CreateTimeOff(
        pb.CreateTimeOffRequest(
            time_off=pb.TimeOff(
                resource_id=resource_id, start_date=start, end_date=end, hours_per_day=hours,
                reason="Vacation",
            )
        ),
        metadata=bearer(session.access_token),
    )


async def test_a_quarter_at_a_glance(stub, identity_stub, projects_stub):
    owner = await signup(identity_stub)
    ana = await create_resource(stub, owner, name="Ana")
    ben = await create_resource(stub, owner, name="Ben", capacity_hours_per_week="20",
                                working_days=[1, 2])
    project = await create_project(projects_stub, owner)
    await allocate(stub, owner, ana.id, project.id, "30", "2026-03-02", "2026-03-15")
    await allocate(stub, owner, ben.id, project.id, "10", "2026-03-09", "2026-03-15",
                   tentative=True)
    await time_off(stub, owner, ana.id, "2026-03-12", "2026-03-13")  # Thursday, Friday
    await stub.CreateHoliday(
        pb.CreateHolidayRequest(holiday=pb.Holiday(date="2026-03-09", name="Founders' day")),
        metadata=bearer(owner.access_token),
    )

    found = await overview(stub, owner, "2026-03-04", 3)  # a Wednesday: its week's Monday

    assert [w.week_start for w in found.weeks] == ["2026-03-02", "2026-03-09", "2026-03-16"]
    first, second, third = found.weeks
    assert (first.total_available_hours, first.total_allocated_hours) == ("60.00", "30.00")
    assert first.utilization_percent == "50.0"
    # Second week: Ana loses Monday (holiday) and Thursday-Friday (time off): 16 of 40 hours;
    # Ben loses Monday: 10 of 20.
    lines = {line.name: line for line in second.by_resource}
    assert (lines["Ana"].available_hours, lines["Ana"].allocated_hours) == ("16.00", "30.00")
    assert lines["Ana"].utilization_percent == "187.5"
    assert (lines["Ben"].available_hours, lines["Ben"].tentative_hours) == ("10.00", "10.00")
    assert lines["Ben"].allocated_hours == "0.00"
    assert (second.total_available_hours, second.total_tentative_hours) == ("26.00", "10.00")
    assert (third.total_allocated_hours, third.utilization_percent) == ("0.00", "0.0")
    assert [line.name for line in third.by_resource] == ["Ana", "Ben"]


async def test_over_allocation_is_announced_once_and_resolved_when_fixed(
    stub, identity_stub, projects_stub, capacity_nats_url
):
    owner = await signup(identity_stub)
    connection = await nats.connect(capacity_nats_url)
    subscription = await connection.subscribe(f"labs.capacity.v1.{owner.organization.id}.>")
    try:
        person = await create_resource(stub, owner, name="Busy")
        project = await create_project(projects_stub, owner)
        first = await allocate(stub, owner, person.id, project.id, "30", "2026-05-04", "2026-05-10")
        # 30 + 20 > 40: the week of May 4 is over-allocated; one more hour keeps it so.
        await allocate(stub, owner, person.id, project.id, "20", "2026-05-04", "2026-05-10")
        await allocate(stub, owner, person.id, project.id, "1", "2026-05-04", "2026-05-10")
        await stub.UpdateAllocation(
            pb.UpdateAllocationRequest(
                allocation=pb.Allocation(id=first.id, allocated_hours="10"),
                update_mask=field_mask_pb2.FieldMask(paths=["allocated_hours"]),
            ),
            metadata=bearer(owner.access_token),
        )
        seen = await collect_until(subscription, "resource.over_allocation_resolved")
    finally:
        await connection.drain()
    (raised,) = [e for e in seen if e.type == "resource.over_allocated"]
    resolved = seen[-1]
    assert [e.type for e in seen].count("allocation.changed") >= 3
    over = events_pb2.ResourceOverAllocated()
    raised.payload.Unpack(over)
    fixed = events_pb2.ResourceOverAllocationResolved()
    resolved.payload.Unpack(fixed)
    assert (over.resource_id, over.week_start) == (person.id, "2026-05-04")
    assert (over.available_hours, over.allocated_hours) == ("40.00", "50.00")
    assert (fixed.week_start, fixed.allocated_hours) == ("2026-05-04", "31.00")


async def test_time_off_is_listed_and_checked(stub, identity_stub):
    owner = await signup(identity_stub)
    viewer = await join_as(identity_stub, owner, identity_pb.ROLE_VIEWER)
    stranger = await signup(identity_stub)
    person = await create_resource(stub, owner)
    created = (await time_off(stub, owner, person.id, "2026-06-01", "2026-06-05", "4")).time_off
    listed = await stub.ListTimeOff(
        pb.ListTimeOffRequest(resource_id=person.id), metadata=bearer(viewer.access_token)
    )
    assert [t.id for t in listed.time_off] == [created.id]
    assert created.hours_per_day == "4.00" and created.reason == "Vacation"
    for start, end, hours, field in [
        ("2026-06-05", "2026-06-01", "", "end_date"),
        ("2026-06-01", "2026-06-01", "25", "hours_per_day"),
        ("June", "2026-06-01", "", "start_date"),
    ]:
        error = await rpc_error(time_off(stub, owner, person.id, start, end, hours))
        assert error.field_errors[0].field == field
    error = await rpc_error(time_off(stub, viewer, person.id, "2026-06-01", "2026-06-01"))
    assert error.http_status == 403
    for call in (
        time_off(stub, stranger, person.id, "2026-06-01", "2026-06-01"),
        stub.ListTimeOff(
            pb.ListTimeOffRequest(resource_id=person.id), metadata=bearer(stranger.access_token)
        ),
    ):
        assert (await rpc_error(call)).http_status == 404


async def test_overview_weeks_are_bounded_and_clients_see_nothing(stub, identity_stub):
    owner = await signup(identity_stub)
    client = await join_as(identity_stub, owner, identity_pb.ROLE_CLIENT,
                           client_id="00000000-0000-0000-0000-000000000001")
    assert (await rpc_error(overview(stub, owner, "", 105))).field_errors[0].field == "weeks"
    assert (await rpc_error(overview(stub, owner, "soon", 4))).field_errors[0].field == "start_week"
    assert (await rpc_error(overview(stub, client, "", 4))).http_status == 403
    empty = await overview(stub, owner, "", 2)
    assert len(empty.weeks) == 2 and empty.weeks[0].total_available_hours == "0.00"


async def test_two_allocations_saved_at_once_still_raise_the_alarm_once(
    stub, identity_stub, projects_stub, capacity_nats_url
):
    owner = await signup(identity_stub)
    connection = await nats.connect(capacity_nats_url)
    subscription = await connection.subscribe(f"labs.capacity.v1.{owner.organization.id}.>")
    try:
        person = await create_resource(stub, owner, name="Contended")
        project = await create_project(projects_stub, owner)
        # Each fits alone (30 and 20 of 40 hours); together they do not.
        await asyncio.gather(
            allocate(stub, owner, person.id, project.id, "30", "2026-06-01", "2026-06-07"),
            allocate(stub, owner, person.id, project.id, "20", "2026-06-01", "2026-06-07"),
        )
        seen = await collect_until(subscription, "resource.over_allocated")
        # A later change that keeps the week over raises nothing new.
        await allocate(stub, owner, person.id, project.id, "1", "2026-06-01", "2026-06-07")
        await stub.CreateHoliday(
            pb.CreateHolidayRequest(holiday=pb.Holiday(date="2026-06-03")),
            metadata=bearer(owner.access_token),
        )
        seen += await collect_until(subscription, "holiday.created")
    finally:
        await connection.drain()
    assert [e.type for e in seen].count("resource.over_allocated") == 1


async def test_less_capacity_or_time_off_can_over_book_someone(
    stub, identity_stub, projects_stub, capacity_nats_url
):
    owner = await signup(identity_stub)
    connection = await nats.connect(capacity_nats_url)
    subscription = await connection.subscribe(
        f"labs.capacity.v1.{owner.organization.id}.resource.>"
    )
    try:
        person = await create_resource(stub, owner, name="Shrinking")
        project = await create_project(projects_stub, owner)
        await allocate(stub, owner, person.id, project.id, "35", "2026-07-06", "2026-07-19")
        await stub.UpdateResource(
            pb.UpdateResourceRequest(
                resource=pb.Resource(id=person.id, capacity_hours_per_week="30"),
                update_mask=field_mask_pb2.FieldMask(paths=["capacity_hours_per_week"]),
            ),
            metadata=bearer(owner.access_token),
        )
        first = await collect_until(subscription, "resource.over_allocated")
        second = await collect_until(subscription, "resource.over_allocated")
    finally:
        await connection.drain()
    weeks = []
    for envelope in (first[-1], second[-1]):
        payload = events_pb2.ResourceOverAllocated()
        envelope.payload.Unpack(payload)
        weeks.append((payload.week_start, payload.available_hours))
    assert sorted(weeks) == [("2026-07-06", "30.00"), ("2026-07-13", "30.00")]
    await stub.UpdateResource(
        pb.UpdateResourceRequest(
            resource=pb.Resource(id=person.id, capacity_hours_per_week="40"),
            update_mask=field_mask_pb2.FieldMask(paths=["capacity_hours_per_week"]),
        ),
        metadata=bearer(owner.access_token),
    )
    await time_off(stub, owner, person.id, "2026-07-13", "2026-07-13")
    found = await overview(stub, owner, "2026-07-06", 2)
    assert [w.by_resource[0].available_hours for w in found.weeks] == ["40.00", "32.00"]
    assert [w.by_resource[0].utilization_percent for w in found.weeks] == ["87.5", "109.4"]
