"""Allocations of people's weekly hours to projects, and capacity per week."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from google.protobuf import field_mask_pb2

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_gateway.dependencies import IdempotentWrite, IfMatch
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.capacity_common import Capacity, StartWeek, Weeks
from labs_gateway.routes.etags import if_match_etags, set_etag
from labs_gateway.schemas.capacity import (
    AllocationCreate,
    AllocationPublic,
    AllocationUpdate,
    CapacityDashboard,
    CapacityOverview,
    ResourceAllocations,
)
from labs_gateway.schemas.capacity_mapping import (
    allocation_public,
    capacity_week_public,
    dashboard_week,
    decimal_text,
    hours,
)

router = APIRouter(tags=["capacity"], responses=PROBLEM_RESPONSES)

AllocationId = Annotated[uuid.UUID, Path(alias="id")]
IF_MATCH_FAILED = {412: PROBLEM_RESPONSES[422] | {"description": "If-Match failed"}}


def _allocation_message(body: AllocationCreate | AllocationUpdate, fields: set[str]):
    given = {name: getattr(body, name) for name in fields}
    message = pb.Allocation(
        resource_id=given.get("resource_id") or "", project_id=given.get("project_id") or "",
        tentative=bool(given.get("tentative")),
    )
    if given.get("allocated_hours") is not None:
        message.allocated_hours = decimal_text(given["allocated_hours"])
    for name in ("start_date", "end_date"):
        if given.get(name) is not None:
            setattr(message, name, given[name].isoformat())
    return message


@router.post("/allocations", status_code=status.HTTP_201_CREATED,
             response_model=AllocationPublic, dependencies=[IdempotentWrite])
async def create_allocation(body: AllocationCreate, capacity: Capacity, response: Response):
    """Give a resource hours per week on a project (which must be one of the organization's).
    Manager or above."""
    created = await capacity.CreateAllocation(pb.CreateAllocationRequest(
        allocation=_allocation_message(body, set(AllocationCreate.model_fields))))
    set_etag(response, created.allocation.etag)
    return allocation_public(created.allocation)


async def _update_allocation(allocation_id, body: AllocationUpdate, capacity,
                             response: Response, if_match: str | None):
    fields = set(body.model_fields_set)
    if not fields:
        raise InvalidArgument.on("body", "Give at least one field to change.")
    message = _allocation_message(body, fields)
    message.id = str(allocation_id)
    updated = await capacity.UpdateAllocation(pb.UpdateAllocationRequest(
        allocation=message, update_mask=field_mask_pb2.FieldMask(paths=sorted(fields)),
        if_match_etags=if_match_etags(if_match)))
    set_etag(response, updated.allocation.etag)
    return allocation_public(updated.allocation)


@router.patch("/allocations/{id}", response_model=AllocationPublic, responses=IF_MATCH_FAILED,
              dependencies=[IdempotentWrite])
async def patch_allocation(allocation_id: AllocationId, body: AllocationUpdate,
                           capacity: Capacity, response: Response,
                           if_match: IfMatch = None):
    """Change the given fields of an allocation. Manager or above."""
    return await _update_allocation(allocation_id, body, capacity, response, if_match)


@router.put("/allocations/{id}", response_model=AllocationPublic, responses=IF_MATCH_FAILED,
            dependencies=[IdempotentWrite])
async def put_allocation(allocation_id: AllocationId, body: AllocationUpdate,
                         capacity: Capacity, response: Response,
                         if_match: IfMatch = None):
    """Same as PATCH: only the fields given change (as the seed's PUT does)."""
    return await _update_allocation(allocation_id, body, capacity, response, if_match)


@router.delete("/allocations/{id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, dependencies=[IdempotentWrite])
async def delete_allocation(allocation_id: AllocationId, capacity: Capacity) -> Response:
    """Remove an allocation. Manager or above."""
    await capacity.DeleteAllocation(pb.DeleteAllocationRequest(id=str(allocation_id)))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/resources/{id}/allocations", response_model=ResourceAllocations)
async def list_resource_allocations(resource_id: Annotated[uuid.UUID, Path(alias="id")],
                                    capacity: Capacity,
                                    start_week: StartWeek = None, weeks: Weeks = 12):
    """A resource's allocations overlapping the weeks, and its utilization over them."""
    found = await capacity.ListResourceAllocations(pb.ListResourceAllocationsRequest(
        resource_id=str(resource_id), start_week=start_week.isoformat() if start_week else "",
        weeks=weeks))
    return ResourceAllocations(allocations=[allocation_public(a) for a in found.allocations],
                               utilization_percent=hours(found.utilization_percent))


async def _weeks(capacity, start_week, weeks) -> pb.GetCapacityOverviewResponse:
    return await capacity.GetCapacityOverview(pb.GetCapacityOverviewRequest(
        start_week=start_week.isoformat() if start_week else "", weeks=weeks))


@router.get("/capacity/overview", response_model=CapacityOverview)
async def capacity_overview(capacity: Capacity,
                            start_week: StartWeek = None, weeks: Weeks = 12):
    """Per week from Monday: available (after time off and holidays), allocated and tentative
    hours and utilization, in total and per resource."""
    found = await _weeks(capacity, start_week, weeks)
    return CapacityOverview(weeks=[capacity_week_public(w) for w in found.weeks])


@router.get("/dashboards/capacity", response_model=CapacityDashboard)
async def capacity_dashboard(capacity: Capacity,
                             start_week: StartWeek = None, weeks: Weeks = 12):
    """The capacity dashboard: per week, hours and utilization and how many are over-booked."""
    found = await _weeks(capacity, start_week, weeks)
    return CapacityDashboard(by_week=[dashboard_week(w) for w in found.weeks])
