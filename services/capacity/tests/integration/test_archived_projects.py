"""Archived projects leave capacity, learnt from projects' events by capacity's durable consumer
(real projects and capacity services on PostgreSQL and NATS): the hours leave the overview and
utilization, an over-allocation they caused is resolved, the allocation stays listed; restoring
the project counts them again; a redelivered or older event changes nothing."""

from __future__ import annotations

import asyncio
import time
import uuid

import nats
import pytest
from capacity_helpers import (
    allocate,
    bearer,
    collect_until,
    create_project,
    create_resource,
    signup,
)
from google.protobuf import field_mask_pb2

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs.events.v1 import envelope_pb2
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs_common.events.streams import stream_name

pytestmark = pytest.mark.integration

WEEK = "2026-06-01"


async def until_consumed(js, durable: str, timeout: float = 20.0) -> None:
    """Until the durable has acknowledged everything published to it (polls with a deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        info = await js.consumer_info(stream_name("projects"), durable)
        if info.num_pending == 0 and info.num_ack_pending == 0:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{durable} still has {info.num_pending} pending")
        await asyncio.sleep(0.05)


async def allocated(stub, session) -> str:
    response = await stub.GetCapacityOverview(
        pb.GetCapacityOverviewRequest(start_week=WEEK, weeks=1),
        metadata=bearer(session.access_token))
    return response.weeks[0].total_allocated_hours


async def until_allocated(stub, session, hours: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while (seen := await allocated(stub, session)) != hours:
        assert time.monotonic() < deadline, f"allocated {seen}, not {hours}, at the deadline"
        await asyncio.sleep(0.1)


async def set_status(projects_stub, session, project_id: str, status: int) -> None:
    await projects_stub.UpdateProject(
        projects_pb.UpdateProjectRequest(
            id=project_id, project=projects_pb.Project(status=status),
            update_mask=field_mask_pb2.FieldMask(paths=["status"])),
        metadata=bearer(session.access_token))


async def test_an_archived_projects_hours_leave_capacity_and_come_back_on_restore(
    stub, identity_stub, projects_stub, capacity_nats_url
):
    owner = await signup(identity_stub)
    org = owner.organization.id
    connection = await nats.connect(capacity_nats_url)
    capacity_events = await connection.subscribe(f"labs.capacity.v1.{org}.>")
    project_events = await connection.subscribe(f"labs.projects.v1.{org}.project.archived")
    try:
        person = await create_resource(stub, owner, name="Busy")
        leaving = await create_project(projects_stub, owner,
                                       status=projects_pb.PROJECT_STATUS_ACTIVE)
        staying = await create_project(projects_stub, owner)
        await allocate(stub, owner, person.id, leaving.id, "30", WEEK, "2026-06-05")
        await allocate(stub, owner, person.id, staying.id, "20", WEEK, "2026-06-05")
        await collect_until(capacity_events, "resource.over_allocated")
        assert await allocated(stub, owner) == "50.00"

        await projects_stub.DeleteProject(projects_pb.DeleteProjectRequest(id=leaving.id),
                                          metadata=bearer(owner.access_token))
        await until_allocated(stub, owner, "20.00")
        seen = await collect_until(capacity_events, "resource.over_allocation_resolved")
        assert [e.type for e in seen].count("resource.over_allocation_resolved") == 1
        archived_envelope = (await project_events.next_msg(timeout=10)).data
        listed = await stub.ListResourceAllocations(
            pb.ListResourceAllocationsRequest(resource_id=person.id, start_week=WEEK, weeks=1),
            metadata=bearer(owner.access_token))
        # History stays readable: both allocations listed, only the staying one counted.
        assert sorted(a.project_id for a in listed.allocations) == sorted([leaving.id,
                                                                            staying.id])
        assert listed.utilization_percent == "50.0"

        await set_status(projects_stub, owner, leaving.id, projects_pb.PROJECT_STATUS_ACTIVE)
        await until_allocated(stub, owner, "50.00")
        await collect_until(capacity_events, "resource.over_allocated")

        # The archive heard again: once as a redelivery (its id claimed already), once as a new
        # event older than the restore. Neither archives the project again.
        js = connection.jetstream()
        subject = f"labs.projects.v1.{org}.project.archived"
        await js.publish(subject, archived_envelope, headers={"Nats-Msg-Id": str(uuid.uuid4())})
        older = envelope_pb2.Envelope.FromString(archived_envelope)
        older.id = str(uuid.uuid4())
        await js.publish(subject, older.SerializeToString(),
                         headers={"Nats-Msg-Id": older.id})
        await until_consumed(js, "capacity-on-projects-project-archived")
        assert await allocated(stub, owner) == "50.00"
    finally:
        await connection.drain()
