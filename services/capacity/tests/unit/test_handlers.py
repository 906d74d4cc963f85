"""Capacity's handlers with a fake unit of work and a fake projects service: no I/O."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from labs_capacity.domain import commands
from labs_capacity.service_layer import allocations, resources, time_off
from labs_common.auth.roles import Role
from labs_common.errors import AlreadyExists, InvalidArgument, PermissionDenied
from labs_common.testing.fakes import a_caller

from .conftest import FakeCapacityUnitOfWork


async def _a_resource(uow, **fields) -> uuid.UUID:
    given = commands.ResourceFields(name="Ada", seniority_level="senior", billing_rate="150",
                                    cost_rate="60", currency="USD", **fields)
    return (await resources.create_resource(commands.CreateResource(given), uow)).id


async def test_a_holiday_is_recorded_once_and_announced(manager_uow):
    command = commands.CreateHoliday(date="2026-12-25", name="Christmas")
    holiday = await time_off.create_holiday(command, manager_uow)
    assert holiday.name == "Christmas" and holiday.org_id == manager_uow.caller.org_id
    assert manager_uow.outbox.types() == ["holiday.created"]
    with pytest.raises(AlreadyExists):
        await time_off.create_holiday(command, manager_uow)


async def test_a_member_may_not_record_a_holiday():
    uow = FakeCapacityUnitOfWork(caller=a_caller(Role.MEMBER))
    with pytest.raises(PermissionDenied):
        await time_off.create_holiday(commands.CreateHoliday(date="2026-12-25"), uow)
    assert uow.outbox.events == []


async def test_a_resource_keeps_its_first_rates_and_announces_itself(manager_uow):
    resource_id = await _a_resource(manager_uow)
    rates = await resources.list_rates(commands.ListResourceRates(resource_id), manager_uow)
    assert [(r.billing_rate, r.cost_rate) for r in rates] == [(150, 60)]
    assert manager_uow.outbox.types() == ["resource.created"]


async def test_an_allocation_on_an_unknown_project_is_refused(manager_uow, projects, next_monday):
    resource_id = await _a_resource(manager_uow)
    fields = commands.AllocationFields(
        resource_id=resource_id, project_id=uuid.uuid4(), allocated_hours="20",
        start_date=next_monday.isoformat(), end_date=(next_monday + timedelta(4)).isoformat())
    with pytest.raises(InvalidArgument) as refused:
        await allocations.create_allocation(commands.CreateAllocation(fields), manager_uow,
                                            projects)
    assert refused.value.field_errors[0].field == "project_id"
    assert manager_uow.allocations.rows == {}


async def test_booking_more_than_a_week_holds_flags_the_resource_over_allocated(
    manager_uow, projects, next_monday
):
    resource_id = await _a_resource(manager_uow)
    project_id = uuid.uuid4()
    projects.known.add(project_id)
    fields = commands.AllocationFields(
        resource_id=resource_id, project_id=project_id, allocated_hours="50",
        start_date=next_monday.isoformat(), end_date=(next_monday + timedelta(4)).isoformat())
    await allocations.create_allocation(commands.CreateAllocation(fields), manager_uow, projects)
    assert manager_uow.outbox.types()[-2:] == ["allocation.changed", "resource.over_allocated"]
    over = manager_uow.outbox.of_type("resource.over_allocated")[0]
    assert over.week_start == next_monday.isoformat() and over.allocated_hours == "50.00"
