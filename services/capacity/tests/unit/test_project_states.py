"""Archived projects leave capacity: the consumer's handlers (entrypoints/consumers.py) on a fake
unit of work. Hours allocated to an archived project leave the overview, utilization and
over-allocation (resolved once), the allocation itself stays listed; a restore counts again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from google.protobuf.timestamp_pb2 import Timestamp

from labs.events.v1 import envelope_pb2
from labs.projects.v1 import events_pb2
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs_capacity.domain import commands
from labs_capacity.entrypoints import consumers
from labs_capacity.service_layer import allocations, overview
from labs_common.auth.roles import Role
from labs_common.testing.fakes import a_caller

from .conftest import FakeCapacityUnitOfWork
from .test_handlers import _a_resource

ARCHIVED = projects_pb.PROJECT_STATUS_ARCHIVED
ACTIVE = projects_pb.PROJECT_STATUS_ACTIVE


def envelope(event, event_type: str, occurred_at: datetime) -> envelope_pb2.Envelope:
    stamp = Timestamp()
    stamp.FromDatetime(occurred_at)
    wrapped = envelope_pb2.Envelope(id=str(uuid.uuid4()), type=event_type, source="projects",
                                    occurred_at=stamp)
    wrapped.payload.Pack(event)
    return wrapped


def status_changed(project_id, old, new, at) -> envelope_pb2.Envelope:
    project = projects_pb.Project(id=str(project_id), status=new)
    return envelope(events_pb2.ProjectStatusChanged(project=project, old_status=old,
                                                    new_status=new),
                    "project.status_changed", at)


async def _booked(uow, projects, monday, hours="30", *, resource_id=None):
    resource_id = resource_id or await _a_resource(uow)
    project_id = uuid.uuid4()
    projects.known.add(project_id)
    fields = commands.AllocationFields(
        resource_id=resource_id, project_id=project_id, allocated_hours=hours,
        start_date=monday.isoformat(), end_date=(monday + timedelta(4)).isoformat())
    await allocations.create_allocation(commands.CreateAllocation(fields), uow, projects)
    return resource_id, project_id


async def _allocated(uow, monday):
    weeks = await overview.capacity_overview(
        commands.GetCapacityOverview(monday.isoformat(), 1), uow)
    return overview.totals(weeks[0])[1]


async def test_an_archived_projects_hours_leave_the_overview_and_utilization(
    manager_uow, projects, next_monday
):
    resource_id, archived = await _booked(manager_uow, projects, next_monday, "30")
    await _booked(manager_uow, projects, next_monday, "10", resource_id=resource_id)
    assert await _allocated(manager_uow, next_monday) == 40

    now = datetime.now(UTC)
    await consumers.on_project_archived(envelope(events_pb2.ProjectArchived(
        project=projects_pb.Project(id=str(archived), status=ARCHIVED)), "project.archived", now),
        manager_uow)
    assert await _allocated(manager_uow, next_monday) == 10
    listed, utilization = await allocations.list_for_resource(
        commands.ListResourceAllocations(resource_id, next_monday.isoformat(), 1), manager_uow)
    # History stays readable: the allocation is listed, only no longer counted.
    assert {a.project_id for a in listed} >= {archived} and utilization == 25

    await consumers.on_project_status_changed(
        status_changed(archived, ARCHIVED, ACTIVE, now + timedelta(seconds=1)), manager_uow)
    assert await _allocated(manager_uow, next_monday) == 40


async def test_archiving_resolves_an_over_allocation_it_caused_and_a_restore_raises_it_again(
    manager_uow, projects, next_monday
):
    resource_id, project_id = await _booked(manager_uow, projects, next_monday, "50")
    assert manager_uow.outbox.types()[-1] == "resource.over_allocated"
    now = datetime.now(UTC)

    await consumers.on_project_status_changed(
        status_changed(project_id, ACTIVE, ARCHIVED, now), manager_uow)
    assert manager_uow.outbox.types()[-1] == "resource.over_allocation_resolved"
    resolved = manager_uow.outbox.of_type("resource.over_allocation_resolved")[0]
    assert (resolved.resource_id, resolved.week_start, resolved.allocated_hours) == \
        (str(resource_id), next_monday.isoformat(), "0.00")
    assert manager_uow.over_allocations.flags == set()

    # project.archived of the same change: nothing flips, nothing more is announced.
    events = len(manager_uow.outbox.events)
    await consumers.on_project_archived(envelope(events_pb2.ProjectArchived(
        project=projects_pb.Project(id=str(project_id), status=ARCHIVED)), "project.archived",
        now), manager_uow)
    assert len(manager_uow.outbox.events) == events

    await consumers.on_project_status_changed(
        status_changed(project_id, ARCHIVED, ACTIVE, now + timedelta(seconds=1)), manager_uow)
    assert manager_uow.outbox.types()[-1] == "resource.over_allocated"
    assert manager_uow.over_allocations.flags == {(resource_id, next_monday)}


async def test_an_older_event_never_overwrites_a_later_state(manager_uow, projects, next_monday):
    _, project_id = await _booked(manager_uow, projects, next_monday, "20")
    now = datetime.now(UTC)
    await consumers.on_project_status_changed(
        status_changed(project_id, ARCHIVED, ACTIVE, now), manager_uow)
    # The archive from before the restore, heard late (another durable): ignored.
    await consumers.on_project_status_changed(
        status_changed(project_id, ACTIVE, ARCHIVED, now - timedelta(minutes=1)), manager_uow)
    assert manager_uow.project_states.rows[project_id][:2] == ("active", False)
    assert await _allocated(manager_uow, next_monday) == 20


async def test_a_created_project_is_recorded_with_its_status():
    uow = FakeCapacityUnitOfWork(caller=a_caller(Role.MANAGER))
    project_id = uuid.uuid4()
    await consumers.on_project_created(envelope(events_pb2.ProjectCreated(
        project=projects_pb.Project(id=str(project_id),
                                    status=projects_pb.PROJECT_STATUS_PLANNING)),
        "project.created", datetime.now(UTC)), uow)
    assert uow.project_states.rows[project_id][:2] == ("planning", False)
    assert [s.durable for s in consumers.subscriptions()] == [
        "capacity-on-projects-project-created", "capacity-on-projects-project-status_changed",
        "capacity-on-projects-project-archived"]
