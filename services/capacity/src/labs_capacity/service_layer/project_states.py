"""Projects' status as capacity hears it: an archived project's allocations stop counting (in the
overview, utilization and over-allocation) and count again when it is restored. When that flips,
the weeks of its allocations are re-judged, so a resource over-allocated only through it hears
resource.over_allocation_resolved (and resource.over_allocated again on a restore)."""

from __future__ import annotations

import uuid
from datetime import datetime

from labs_capacity.service_layer import over_allocation
from labs_capacity.service_layer.unit_of_work import CapacityUnitOfWork


async def project_status_heard(
    uow: CapacityUnitOfWork, project_id: uuid.UUID, status: str, as_of: datetime
) -> None:
    archived = status == "archived"
    if not await uow.project_states.record(project_id, status, archived, as_of):
        return
    # One resource at a time, in id order (the spans' order), as allocation changes lock them.
    for resource_id, start, end in await uow.project_states.allocation_spans(project_id):
        await over_allocation.reconcile(uow, [resource_id], start, end)
