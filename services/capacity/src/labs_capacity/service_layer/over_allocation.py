"""Announcing over-allocation once per resource-week: compare the weeks a change touched with the
flags already raised, raise the new ones and resolve the ones that no longer hold."""

from __future__ import annotations

import uuid
from datetime import date

from labs.capacity.v1 import events_pb2
from labs_capacity.domain.weeks import week_start
from labs_capacity.service_layer.unit_of_work import CapacityUnitOfWork


async def reconcile(
    uow: CapacityUnitOfWork, resource_ids: list[uuid.UUID] | None, start: date, end: date
) -> None:
    """Re-check the weeks touching [start, end] for `resource_ids` (None: every resource)."""
    # Two concurrent changes to one person must not both judge the week from before the other.
    await uow.resources.lock(resource_ids)
    first, last = week_start(start), week_start(end)
    weeks = (last - first).days // 7 + 1
    flagged = await uow.over_allocations.flagged(resource_ids, first, last)
    current = await uow.weeks.of(first, weeks, resource_ids, departed=True)
    resolved = []
    for week in current:
        key = (week.resource_id, week.week_start)
        details = {
            "resource_id": str(week.resource_id),
            "name": week.name,
            "week_start": week.week_start.isoformat(),
            "available_hours": str(week.available_hours),
            "allocated_hours": str(week.allocated_hours),
        }
        if week.over_allocated and key not in flagged:
            if await uow.over_allocations.flag(*key, week.available_hours, week.allocated_hours):
                await uow.outbox.add(
                    "resource.over_allocated", events_pb2.ResourceOverAllocated(**details)
                )
        elif not week.over_allocated and key in flagged:
            resolved.append(key)
            await uow.outbox.add(
                "resource.over_allocation_resolved",
                events_pb2.ResourceOverAllocationResolved(**details),
            )
    await uow.over_allocations.clear(resolved)
