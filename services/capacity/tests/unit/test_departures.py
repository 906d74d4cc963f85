"""A resource leaving (DELETE /resources/{id}) with a fake unit of work: no I/O."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from labs_capacity.domain import capacity, commands
from labs_capacity.domain.model import ResourceFilters
from labs_capacity.service_layer import allocations, departures, overview, resources
from labs_capacity.service_layer.access import today
from labs_common.auth.roles import Role
from labs_common.errors import InvalidArgument, PermissionDenied
from labs_common.testing.fakes import a_caller

from .conftest import FakeCapacityUnitOfWork
from .test_handlers import _a_resource


async def _book(uow, projects, resource_id, start, end, hours="20"):
    project_id = uuid.uuid4()
    projects.known.add(project_id)
    fields = commands.AllocationFields(resource_id=resource_id, project_id=project_id,
                                       allocated_hours=hours, start_date=start.isoformat(),
                                       end_date=end.isoformat())
    return await allocations.create_allocation(commands.CreateAllocation(fields), uow, projects)


async def test_leaving_cuts_bookings_at_the_day_before_and_drops_later_ones(
    manager_uow, projects, next_monday
):
    ada = await _a_resource(manager_uow)
    leaves = next_monday + timedelta(weeks=2, days=2)  # a Wednesday
    running = await _book(manager_uow, projects, ada, next_monday, next_monday + timedelta(weeks=4))
    later = await _book(manager_uow, projects, ada, leaves + timedelta(weeks=1),
                        leaves + timedelta(weeks=2))
    earlier = await _book(manager_uow, projects, ada, next_monday, next_monday + timedelta(days=4))

    gone = await departures.deactivate_resource(
        commands.DeactivateResource(ada, leaves.isoformat()), manager_uow)

    assert gone.end_date == leaves and not gone.active_on(leaves)
    assert gone.active_on(leaves - timedelta(days=1))
    rows = manager_uow.allocations.rows
    assert rows[running.id].end_date == leaves - timedelta(days=1)
    assert later.id not in rows
    assert rows[earlier.id].end_date == earlier.end_date  # before the departure: untouched
    changes = manager_uow.outbox.of_type("allocation.changed")[-2:]
    assert sorted(c.allocation.id for c in changes) == sorted([str(running.id), str(later.id)])
    assert manager_uow.outbox.of_type("resource.updated")[-1].changed_fields == ["end_date"]


async def test_no_capacity_from_the_day_a_resource_leaves(manager_uow, next_monday):
    ada = await _a_resource(manager_uow)
    wednesday = next_monday + timedelta(days=2)
    await departures.deactivate_resource(
        commands.DeactivateResource(ada, wednesday.isoformat()), manager_uow)
    # Monday and Tuesday of 40 h over five days, then nothing.
    assert capacity.available_hours(next_monday, Decimal(40), (1, 2, 3, 4, 5),
                                    end_date=wednesday) == Decimal("16.00")
    weeks = await overview.capacity_overview(
        commands.GetCapacityOverview(next_monday.isoformat(), 3), manager_uow)
    assert [w.by_resource[0].available_hours for w in weeks] == [
        Decimal("16.00"), Decimal("0.00"), Decimal("0.00")]
    # A window that starts after it left does not show it at all.
    after = await overview.capacity_overview(
        commands.GetCapacityOverview((next_monday + timedelta(weeks=1)).isoformat(), 2),
        manager_uow)
    assert all(w.by_resource == [] for w in after)


async def test_nothing_is_booked_on_or_after_the_day_a_resource_leaves(
    manager_uow, projects, next_monday
):
    ada = await _a_resource(manager_uow)
    await departures.deactivate_resource(
        commands.DeactivateResource(ada, (next_monday + timedelta(weeks=1)).isoformat()),
        manager_uow)
    with pytest.raises(InvalidArgument) as refused:
        await _book(manager_uow, projects, ada, next_monday, next_monday + timedelta(weeks=1))
    assert refused.value.field_errors[0].field == "end_date"
    assert "leaves on" in refused.value.field_errors[0].message
    kept = await _book(manager_uow, projects, ada, next_monday, next_monday + timedelta(days=6))
    with pytest.raises(InvalidArgument):
        await allocations.update_allocation(commands.UpdateAllocation(
            kept.id, commands.AllocationFields(end_date=(
                next_monday + timedelta(weeks=2)).isoformat()), ("end_date",)),
            manager_uow, projects)


async def test_leaving_today_by_default_and_filters_see_it(manager_uow):
    ada = await _a_resource(manager_uow)
    await _a_resource(manager_uow, skills=("figma",))
    await departures.deactivate_resource(commands.DeactivateResource(ada), manager_uow)
    listed = await resources.list_resources(
        commands.ListResources(None, 50, ResourceFilters(is_active=False)), manager_uow)
    assert [r.id for r in listed] == [ada] and listed[0].end_date == today()
    active = await resources.list_resources(
        commands.ListResources(None, 50, ResourceFilters(is_active=True)), manager_uow)
    assert ada not in [r.id for r in active] and len(active) == 1
    figma = await resources.list_resources(
        commands.ListResources(None, 50, ResourceFilters(skill="figma")), manager_uow)
    assert [r.skills for r in figma] == [("figma",)]


async def test_leaving_a_flagged_week_resolves_its_over_allocation(
    manager_uow, projects, next_monday
):
    ada = await _a_resource(manager_uow)
    await _book(manager_uow, projects, ada, next_monday + timedelta(weeks=1),
                next_monday + timedelta(weeks=1, days=4), hours="50")
    assert manager_uow.outbox.types()[-1] == "resource.over_allocated"
    await departures.deactivate_resource(
        commands.DeactivateResource(ada, next_monday.isoformat()), manager_uow)
    assert manager_uow.outbox.types()[-1] == "resource.over_allocation_resolved"


async def test_a_member_may_not_deactivate_a_resource(manager_uow):
    ada = await _a_resource(manager_uow)
    member = FakeCapacityUnitOfWork(caller=a_caller(Role.MEMBER))
    member.resources = manager_uow.resources
    with pytest.raises(PermissionDenied):
        await departures.deactivate_resource(commands.DeactivateResource(ada), member)
    assert manager_uow.resources.rows[ada].end_date is None


async def test_a_malformed_end_date_is_named(manager_uow):
    ada = await _a_resource(manager_uow)
    with pytest.raises(InvalidArgument) as refused:
        await departures.deactivate_resource(
            commands.DeactivateResource(ada, "next tuesday"), manager_uow)
    assert refused.value.field_errors[0].field == "end_date"
