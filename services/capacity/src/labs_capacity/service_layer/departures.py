"""A resource leaving (DELETE /resources/{id}): from its end date on it has no capacity and no
bookings. What it was booked for from then on ends the day before (or goes, when it would have
started after), each change announced like any allocation change so forecasts and the heatmap
follow; its history, time and rates stay."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from labs.capacity.v1 import events_pb2
from labs_capacity.adapters import proto
from labs_capacity.domain import commands, rules
from labs_capacity.domain.model import Resource
from labs_capacity.service_layer import over_allocation, resources
from labs_capacity.service_layer.access import require_manager, today
from labs_capacity.service_layer.allocations import announce
from labs_capacity.service_layer.unit_of_work import CapacityUnitOfWork


async def deactivate_resource(
    command: commands.DeactivateResource, uow: CapacityUnitOfWork
) -> Resource:
    require_manager(uow.caller)
    leaves = rules.parse_date(command.end_date, "end_date", required=False) or today()
    resource = await resources.load(uow, command.resource_id, lock=True)
    before = resource.end_date
    resource.end_date = leaves
    await uow.resources.save(resource)
    await uow.outbox.add(
        "resource.updated",
        events_pb2.ResourceUpdated(resource=proto.resource(resource), changed_fields=["end_date"]),
    )
    if before is not None and before <= leaves:
        return resource  # a later (or the same) date: nothing booked reaches it already
    touched = await uow.allocations.of_resource(resource.id, leaves, date.max)
    if not touched:
        return resource
    # The weeks to judge again: all that the bookings covered before they were cut.
    first, last = min(a.start_date for a in touched), max(a.end_date for a in touched)
    for allocation in touched:
        if allocation.start_date >= leaves:
            await uow.allocations.delete(allocation.id)
            await announce(uow, events_pb2.ALLOCATION_CHANGE_DELETED, allocation)
        else:
            previous = replace(allocation)
            allocation.end_date = leaves - timedelta(days=1)
            await uow.allocations.save(allocation)
            await announce(uow, events_pb2.ALLOCATION_CHANGE_UPDATED, allocation,
                           previous=previous)
    await over_allocation.reconcile(uow, [resource.id], first, last)
    return resource
