"""Allocations of a resource's hours per week to a project, and the over-allocation they cause."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from labs.capacity.v1 import events_pb2
from labs_capacity.adapters import proto
from labs_capacity.domain import capacity, commands, rules
from labs_capacity.domain.model import Allocation, ProjectAllocation
from labs_capacity.domain.weeks import DEFAULT_WEEKS, MAX_WEEKS, week_start
from labs_capacity.service_layer import over_allocation, resources
from labs_capacity.service_layer.access import (
    require_manager,
    require_reader,
    required,
    today,
)
from labs_capacity.service_layer.unit_of_work import CapacityUnitOfWork
from labs_common.errors import InvalidArgument, LabsError, NotFound
from labs_common.etag import require_match

# Raises InvalidArgument on project_id when the project is not one of the caller's org.
ProjectCheck = Callable[[uuid.UUID], Awaitable[None]]


async def ask_project(projects: ProjectCheck, project_id: uuid.UUID | None) -> ProjectCheck:
    """Put the question about the project a request names to the projects service before the
    transaction opens; the handler's check then answers from it (its refusal raised where the
    handler checks, so a 403 or a bad resource_id still comes first)."""
    refusal: LabsError | None = None
    if project_id is not None:
        try:
            await projects(project_id)
        except LabsError as error:
            refusal = error

    async def answered(checked: uuid.UUID) -> None:
        if checked != project_id:
            raise LookupError(f"project {checked} was not asked before the transaction")
        if refusal is not None:
            raise refusal

    return answered

UPDATABLE = frozenset(
    {"resource_id", "project_id", "allocated_hours", "start_date", "end_date", "tentative"}
)


def _hours(value: str) -> Decimal:
    if not value:
        raise InvalidArgument.on("allocated_hours", "is required")
    return rules.parse_decimal(
        value, "allocated_hours", maximum=rules.MAX_WEEK_HOURS, exclusive_minimum=True
    )


async def create_allocation(
    command: commands.CreateAllocation, uow: CapacityUnitOfWork, projects: ProjectCheck
) -> Allocation:
    require_manager(uow.caller)
    given = command.fields
    resource_id = required(given.resource_id, "resource_id")
    project_id = required(given.project_id, "project_id")
    hours = _hours(given.allocated_hours)
    start = rules.parse_date(given.start_date, "start_date")
    end = rules.parse_date(given.end_date, "end_date")
    rules.check_range(start, end)
    resource = await uow.resources.get(resource_id, today())
    if resource is None:
        raise InvalidArgument.on("resource_id", "no such resource in this organization")
    resource.check_bookable(end)
    await projects(project_id)
    allocation = Allocation(
        id=uuid.uuid4(),
        org_id=uow.caller.org_id,
        resource_id=resource_id,
        project_id=project_id,
        allocated_hours=hours,
        start_date=start,
        end_date=end,
        tentative=given.tentative,
    )
    await uow.allocations.add(allocation)
    await announce(uow, events_pb2.ALLOCATION_CHANGE_CREATED, allocation)
    await over_allocation.reconcile(uow, [resource_id], start, end)
    return allocation


async def update_allocation(
    command: commands.UpdateAllocation, uow: CapacityUnitOfWork, projects: ProjectCheck
) -> Allocation:
    require_manager(uow.caller)
    changed = set(command.update_mask)
    unknown = changed - UPDATABLE
    if unknown:
        raise InvalidArgument.on(sorted(unknown)[0], "cannot be changed")
    allocation = await _load(uow, command.allocation_id, lock=True)
    require_match(allocation.etag, list(command.if_match), "allocation")
    before = replace(allocation)
    given = command.fields
    if "allocated_hours" in changed:
        allocation.allocated_hours = _hours(given.allocated_hours)
    if "start_date" in changed:
        allocation.start_date = rules.parse_date(given.start_date, "start_date")
    if "end_date" in changed:
        allocation.end_date = rules.parse_date(given.end_date, "end_date")
    rules.check_range(allocation.start_date, allocation.end_date)
    if "tentative" in changed:
        allocation.tentative = given.tentative
    if "resource_id" in changed:
        allocation.resource_id = required(given.resource_id, "resource_id")
    if changed & {"resource_id", "start_date", "end_date"}:
        resource = await uow.resources.get(allocation.resource_id, today())
        if resource is None:
            raise InvalidArgument.on("resource_id", "no such resource in this organization")
        resource.check_bookable(allocation.end_date)
    if "project_id" in changed:
        allocation.project_id = required(given.project_id, "project_id")
        if allocation.project_id != before.project_id:
            await projects(allocation.project_id)
    await uow.allocations.save(allocation)
    await announce(uow, events_pb2.ALLOCATION_CHANGE_UPDATED, allocation, previous=before)
    # Both people at once and in id order, so two moves between them cannot deadlock.
    await uow.resources.lock(sorted({before.resource_id, allocation.resource_id}))
    await over_allocation.reconcile(uow, [before.resource_id], before.start_date, before.end_date)
    await over_allocation.reconcile(
        uow, [allocation.resource_id], allocation.start_date, allocation.end_date
    )
    return allocation


async def delete_allocation(command: commands.DeleteAllocation, uow: CapacityUnitOfWork) -> None:
    require_manager(uow.caller)
    allocation = await _load(uow, command.id, lock=True)
    await uow.allocations.delete(allocation.id)
    await announce(uow, events_pb2.ALLOCATION_CHANGE_DELETED, allocation)
    await over_allocation.reconcile(
        uow, [allocation.resource_id], allocation.start_date, allocation.end_date
    )


async def list_for_resource(
    command: commands.ListResourceAllocations, uow: CapacityUnitOfWork
) -> tuple[list[Allocation], Decimal | None]:
    """The allocations overlapping the weeks, and the resource's utilization over them."""
    require_reader(uow.caller)
    first, count = week_range(command.start_week, command.weeks)
    resource = await resources.load(uow, command.resource_id)
    last_day = first + timedelta(weeks=count) - timedelta(days=1)
    found = await uow.allocations.of_resource(resource.id, first, last_day)
    rows = await uow.weeks.of(first, count, [resource.id])
    utilization = capacity.utilization_percent(
        sum((r.allocated_hours for r in rows), capacity.ZERO),
        sum((r.available_hours for r in rows), capacity.ZERO),
    )
    return found, utilization


MAX_PROJECTS_AT_ONCE = 500


async def list_for_project(
    command: commands.ListProjectAllocations, uow: CapacityUnitOfWork
) -> list[ProjectAllocation]:
    """The team of a project (or of several): every allocation to it, with the resource's name.
    Whether the caller may see the project is the projects service's to say; capacity answers
    staff only."""
    require_reader(uow.caller)
    if len(command.project_ids) > MAX_PROJECTS_AT_ONCE:
        raise InvalidArgument.on("project_ids", f"at most {MAX_PROJECTS_AT_ONCE} at once")
    return await uow.allocations.of_projects(list(command.project_ids))


def week_range(start_week: str, weeks: int) -> tuple:
    """(first Monday, number of weeks) asked for; defaults: this week, 12 weeks."""
    first = rules.parse_date(start_week, "start_week", required=False) or today()
    count = weeks or DEFAULT_WEEKS
    if not 1 <= count <= MAX_WEEKS:
        raise InvalidArgument.on("weeks", f"must be 1 to {MAX_WEEKS}")
    return week_start(first), count


async def _load(uow: CapacityUnitOfWork, allocation_id: uuid.UUID, *, lock: bool) -> Allocation:
    found = await uow.allocations.get(allocation_id, lock=lock)
    if found is None:
        raise NotFound("No such allocation.")
    return found


async def announce(
    uow: CapacityUnitOfWork, change: int, allocation: Allocation, previous=None
) -> None:
    """allocation.changed with the rates forecasting needs to cost it."""
    on_start = await uow.resources.rates_on(allocation.resource_id, allocation.start_date)
    history = await uow.resources.rate_history(allocation.resource_id)
    event = events_pb2.AllocationChanged(
        change=change,
        allocation=proto.allocation(allocation),
        previous=proto.allocation(previous) if previous else None,
        billing_rate=proto.number(on_start.billing_rate) if on_start else "",
        cost_rate=proto.number(on_start.cost_rate) if on_start else "",
        currency=on_start.currency if on_start else "",
        rates=[
            proto.rate(p)
            for p in resources.rates_between(history, allocation.start_date, allocation.end_date)
        ],
    )
    # No project_id on the envelope: it would reach the project's WebSocket room, where a client
    # role user may listen, and this payload carries the agency's cost rates.
    await uow.outbox.add("allocation.changed", event)
