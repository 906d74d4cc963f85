"""Allocations of people's weekly hours to projects, and capacity per week."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_gateway.dependencies import IdempotentWrite, IfMatch
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.capacity_common import Capacity, StartWeek, Weeks
from labs_gateway.routes.etags import if_match_etags, set_etag
from labs_gateway.schemas.capacity import (
    AllocationCreate,
    AllocationPublic,
    AllocationUpdate,
    CapacityDashboard,
    CapacityOverview,
    CapacityWeekPublic,
    DashboardWeek,
    ResourceAllocations,
)
from labs_gateway.schemas.proto_json import to_message, to_public
from labs_gateway.schemas.public import current_reader, public

router = APIRouter(route_class=ExactJsonRoute, tags=["capacity"], responses=PROBLEM_RESPONSES)

AllocationId = Annotated[uuid.UUID, Path(alias="id")]
IF_MATCH_FAILED = {412: PROBLEM_RESPONSES[422] | {"description": "If-Match failed"}}


@router.post("/allocations", status_code=status.HTTP_201_CREATED,
             response_model=AllocationPublic, dependencies=[IdempotentWrite])
async def create_allocation(body: AllocationCreate, capacity: Capacity, response: Response):
    """Give a resource hours per week on a project (which must be one of the organization's).
    Manager or above."""
    created = await capacity.CreateAllocation(to_message(
        pb.CreateAllocationRequest, {"allocation": body.model_dump()}))
    set_etag(response, created.allocation.etag)
    return public(created.allocation)


async def _update_allocation(allocation_id, body: AllocationUpdate, capacity,
                             response: Response, if_match: str | None):
    fields = set(body.model_fields_set)
    if not fields:
        raise InvalidArgument.on("body", "Give at least one field to change.")
    updated = await capacity.UpdateAllocation(to_message(pb.UpdateAllocationRequest, {
        "allocation": {"id": allocation_id, **body.model_dump(include=fields)},
        "update_mask": sorted(fields), "if_match_etags": if_match_etags(if_match)}))
    set_etag(response, updated.allocation.etag)
    return public(updated.allocation)


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
    found = await capacity.ListResourceAllocations(to_message(
        pb.ListResourceAllocationsRequest,
        {"resource_id": resource_id, "start_week": start_week, "weeks": weeks}))
    return to_public(ResourceAllocations, found, current_reader())


async def _weeks(capacity, start_week, weeks) -> pb.GetCapacityOverviewResponse:
    return await capacity.GetCapacityOverview(to_message(
        pb.GetCapacityOverviewRequest, {"start_week": start_week, "weeks": weeks}))


@router.get("/capacity/overview", response_model=CapacityOverview)
async def capacity_overview(capacity: Capacity,
                            start_week: StartWeek = None, weeks: Weeks = 12):
    """Per week from Monday: available (after time off and holidays), allocated and tentative
    hours and utilization, in total and per resource."""
    found = await _weeks(capacity, start_week, weeks)
    return to_public(CapacityOverview, found, current_reader())


@router.get("/dashboards/capacity", response_model=CapacityDashboard)
async def capacity_dashboard(capacity: Capacity,
                             start_week: StartWeek = None, weeks: Weeks = 12):
    """The capacity dashboard: per week, hours and utilization and how many are over-booked."""
    found = await _weeks(capacity, start_week, weeks)
    return CapacityDashboard(by_week=[_dashboard_week(w) for w in found.weeks])


def _dashboard_week(week: pb.CapacityWeek) -> DashboardWeek:
    """The dashboard names a week's totals its own way, and counts who is over-booked."""
    over = sum(1 for line in week.by_resource
               if Decimal(line.allocated_hours) > Decimal(line.available_hours))
    overview = to_public(CapacityWeekPublic, week)
    return DashboardWeek(
        week_start=overview.week_start, total_hours=overview.total_available_hours,
        allocated_hours=overview.total_allocated_hours,
        tentative_hours=overview.total_tentative_hours,
        utilization_percent=overview.utilization_percent, over_allocated_resources=over,
        by_resource=overview.by_resource)
