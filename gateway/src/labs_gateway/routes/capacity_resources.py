"""Resources (people and placeholders), their rate history, time off and org holidays."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_gateway.dependencies import IdempotentWrite, IfMatch
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.middleware.read_cache import cached_read
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.capacity_common import Capacity
from labs_gateway.routes.etags import if_match_etags, set_etag
from labs_gateway.routes.members import Cursor, Limit
from labs_gateway.schemas.capacity import (
    HolidayCreate,
    HolidayList,
    HolidayPublic,
    RateList,
    ResourceCreate,
    ResourceDeactivate,
    ResourceList,
    ResourcePublic,
    ResourceUpdate,
    Seniority,
    TimeOffCreate,
    TimeOffList,
    TimeOffPublic,
)
from labs_gateway.schemas.proto_json import to_message
from labs_gateway.schemas.public import public

router = APIRouter(route_class=ExactJsonRoute, tags=["capacity"], responses=PROBLEM_RESPONSES)

ResourceId = Annotated[uuid.UUID, Path(alias="id")]
RATE_FIELDS = {"billing_rate", "cost_rate", "currency"}
IF_MATCH_FAILED = {412: PROBLEM_RESPONSES[422] | {"description": "If-Match failed"}}


def _resource(body: ResourceCreate | ResourceUpdate, fields: set[str]) -> dict:
    return body.model_dump(include=fields)


@router.get("/resources", response_model=ResourceList)
@cached_read("capacity")
async def list_resources(capacity: Capacity, limit: Limit = 50,
                         cursor: Cursor = None, is_active: bool | None = None,
                         seniority_level: Seniority | None = None,
                         skill: Annotated[str, Query(max_length=100)] = ""):
    """The organization's resources by name, a page at a time; filters: active today or not,
    one seniority, one skill."""
    page = await capacity.ListResources(to_message(pb.ListResourcesRequest, {
        "page_size": limit, "page_token": cursor, "is_active": is_active,
        "seniority_level": seniority_level, "skill": skill}))
    return ResourceList(resources=[public(r) for r in page.resources],
                        next_cursor=page.next_page_token or None)


@router.post("/resources", status_code=status.HTTP_201_CREATED, response_model=ResourcePublic,
             dependencies=[IdempotentWrite])
async def create_resource(body: ResourceCreate, capacity: Capacity, response: Response):
    """Add a person or a placeholder with their first rates. Manager or above."""
    fields = set(ResourceCreate.model_fields) - {"effective_from"}
    created = await capacity.CreateResource(to_message(pb.CreateResourceRequest, {
        "resource": _resource(body, fields), "rates_effective_from": body.effective_from}))
    set_etag(response, created.resource.etag)
    return public(created.resource)


@router.get("/resources/{id}", response_model=ResourcePublic)
@cached_read("capacity")
async def get_resource(resource_id: ResourceId, capacity: Capacity,
                       response: Response):
    """One resource with the rates in effect today; the ETag goes back in If-Match."""
    found = await capacity.GetResource(pb.GetResourceRequest(id=str(resource_id)))
    set_etag(response, found.resource.etag)
    return public(found.resource)


@router.delete("/resources/{id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, dependencies=[IdempotentWrite])
async def deactivate_resource(resource_id: ResourceId, capacity: Capacity,
                              end_date: Annotated[date | None, Query()] = None,
                              body: ResourceDeactivate | None = None) -> Response:
    """The resource leaves from `end_date` (query or body; default today) on: no capacity and no
    bookings from then on (those reaching it end the day before), history and rates stay.
    Manager or above."""
    given = body.end_date if body else None
    if end_date and given and end_date != given:
        raise InvalidArgument.on("end_date", "given twice (query and body) with two values")
    await capacity.DeactivateResource(to_message(pb.DeactivateResourceRequest, {
        "id": resource_id, "end_date": end_date or given}))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _update_resource(resource_id: uuid.UUID, body: ResourceUpdate, capacity,
                           response: Response, if_match: str | None):
    fields = set(body.model_fields_set) - {"effective_from"}
    if not fields:
        raise InvalidArgument.on("body", "Give at least one field to change.")
    if "effective_from" in body.model_fields_set and not fields & RATE_FIELDS:
        raise InvalidArgument.on(
            "effective_from", "applies only with billing_rate, cost_rate or currency")
    updated = await capacity.UpdateResource(to_message(pb.UpdateResourceRequest, {
        "resource": {"id": resource_id, **_resource(body, fields)},
        "update_mask": sorted(fields), "rates_effective_from": body.effective_from,
        "if_match_etags": if_match_etags(if_match)}))
    set_etag(response, updated.resource.etag)
    return public(updated.resource)


@router.patch("/resources/{id}", response_model=ResourcePublic, responses=IF_MATCH_FAILED,
              dependencies=[IdempotentWrite])
async def patch_resource(resource_id: ResourceId, body: ResourceUpdate, capacity: Capacity,
                         response: Response,
                         if_match: IfMatch = None):
    """Change the given fields. A new billing or cost rate applies from `effective_from` (default
    today) on and never rewrites earlier dates. Manager or above."""
    return await _update_resource(resource_id, body, capacity, response, if_match)


@router.put("/resources/{id}", response_model=ResourcePublic, responses=IF_MATCH_FAILED,
            dependencies=[IdempotentWrite])
async def put_resource(resource_id: ResourceId, body: ResourceUpdate, capacity: Capacity,
                       response: Response,
                       if_match: IfMatch = None):
    """Same as PATCH: only the fields given change (as the seed's PUT does)."""
    return await _update_resource(resource_id, body, capacity, response, if_match)


@router.get("/resources/{id}/rates", response_model=RateList)
async def list_rates(resource_id: ResourceId, capacity: Capacity):
    """Every rate period of a resource, oldest first."""
    found = await capacity.ListResourceRates(
        pb.ListResourceRatesRequest(resource_id=str(resource_id)))
    return RateList(rates=[public(r) for r in found.rates])


@router.get("/resources/{id}/time-off", response_model=TimeOffList)
async def list_time_off(resource_id: ResourceId, capacity: Capacity,
                        limit: Limit = 50, cursor: Cursor = None):
    """A resource's time off by start date, a page at a time."""
    page = await capacity.ListTimeOff(to_message(pb.ListTimeOffRequest, {
        "resource_id": resource_id, "page_size": limit, "page_token": cursor}))
    return TimeOffList(time_off=[public(t) for t in page.time_off],
                       next_cursor=page.next_page_token or None)


@router.post("/resources/{id}/time-off", status_code=status.HTTP_201_CREATED,
             response_model=TimeOffPublic, dependencies=[IdempotentWrite])
async def create_time_off(resource_id: ResourceId, body: TimeOffCreate, capacity: Capacity):
    """Record time off; it takes hours out of the resource's available hours. Manager or above."""
    created = await capacity.CreateTimeOff(to_message(pb.CreateTimeOffRequest, {
        "time_off": {"resource_id": resource_id, **body.model_dump()}}))
    return public(created.time_off)


@router.get("/holidays", response_model=HolidayList)
async def list_holidays(capacity: Capacity, limit: Limit = 50,
                        cursor: Cursor = None):
    """The organization's holidays by date."""
    page = await capacity.ListHolidays(to_message(
        pb.ListHolidaysRequest, {"page_size": limit, "page_token": cursor}))
    return HolidayList(holidays=[public(h) for h in page.holidays],
                       next_cursor=page.next_page_token or None)


@router.post("/holidays", status_code=status.HTTP_201_CREATED, response_model=HolidayPublic,
             dependencies=[IdempotentWrite])
async def create_holiday(body: HolidayCreate, capacity: Capacity):
    """An org-wide day off: nobody is available that day. Manager or above."""
    created = await capacity.CreateHoliday(to_message(
        pb.CreateHolidayRequest, {"holiday": body.model_dump()}))
    return public(created.holiday)
