"""Resources (people and placeholders), their rate history, time off and org holidays."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from google.protobuf import field_mask_pb2

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_gateway.dependencies import IdempotentWrite, IfMatch
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
    ResourceList,
    ResourcePublic,
    ResourceUpdate,
    TimeOffCreate,
    TimeOffList,
    TimeOffPublic,
)
from labs_gateway.schemas.capacity_mapping import (
    decimal_text,
    holiday_public,
    rate_public,
    resource_public,
    seniority_to_proto,
    time_off_public,
    weekdays_to_proto,
)

router = APIRouter(tags=["capacity"], responses=PROBLEM_RESPONSES)

ResourceId = Annotated[uuid.UUID, Path(alias="id")]
RATE_FIELDS = {"billing_rate", "cost_rate", "currency"}
IF_MATCH_FAILED = {412: PROBLEM_RESPONSES[422] | {"description": "If-Match failed"}}


def _resource_message(body: ResourceCreate | ResourceUpdate, fields: set[str]) -> pb.Resource:
    given = {name: getattr(body, name) for name in fields}
    message = pb.Resource(
        name=given.get("name") or "",
        email=given.get("email") or "",
        user_id=given.get("user_id") or "",
        currency=given.get("currency") or "",
        is_placeholder=bool(given.get("is_placeholder")),
        skills=given.get("skills") or [],
        working_days=weekdays_to_proto(given.get("working_days") or []),
    )
    if given.get("seniority_level"):
        message.seniority_level = seniority_to_proto(given["seniority_level"])
    for name in ("billing_rate", "cost_rate", "capacity_hours_per_week"):
        if given.get(name) is not None:
            setattr(message, name, decimal_text(given[name]))
    return message


@router.get("/resources", response_model=ResourceList)
async def list_resources(capacity: Capacity, limit: Limit = 50,
                         cursor: Cursor = None):
    """The organization's resources by name, a page at a time."""
    page = await capacity.ListResources(
        pb.ListResourcesRequest(page_size=limit, page_token=cursor or ""))
    return ResourceList(resources=[resource_public(r) for r in page.resources],
                        next_cursor=page.next_page_token or None)


@router.post("/resources", status_code=status.HTTP_201_CREATED, response_model=ResourcePublic,
             dependencies=[IdempotentWrite])
async def create_resource(body: ResourceCreate, capacity: Capacity, response: Response):
    """Add a person or a placeholder with their first rates. Manager or above."""
    fields = set(ResourceCreate.model_fields) - {"effective_from"}
    created = await capacity.CreateResource(pb.CreateResourceRequest(
        resource=_resource_message(body, fields),
        rates_effective_from=body.effective_from.isoformat() if body.effective_from else "",
    ))
    set_etag(response, created.resource.etag)
    return resource_public(created.resource)


@router.get("/resources/{id}", response_model=ResourcePublic)
async def get_resource(resource_id: ResourceId, capacity: Capacity,
                       response: Response):
    """One resource with the rates in effect today; the ETag goes back in If-Match."""
    found = await capacity.GetResource(pb.GetResourceRequest(id=str(resource_id)))
    set_etag(response, found.resource.etag)
    return resource_public(found.resource)


async def _update_resource(resource_id: uuid.UUID, body: ResourceUpdate, capacity,
                           response: Response, if_match: str | None):
    fields = set(body.model_fields_set) - {"effective_from"}
    if not fields:
        raise InvalidArgument.on("body", "Give at least one field to change.")
    if "effective_from" in body.model_fields_set and not fields & RATE_FIELDS:
        raise InvalidArgument.on(
            "effective_from", "applies only with billing_rate, cost_rate or currency")
    message = _resource_message(body, fields)
    message.id = str(resource_id)
    updated = await capacity.UpdateResource(pb.UpdateResourceRequest(
        resource=message, update_mask=field_mask_pb2.FieldMask(paths=sorted(fields)),
        rates_effective_from=body.effective_from.isoformat() if body.effective_from else "",
        if_match_etags=if_match_etags(if_match),
    ))
    set_etag(response, updated.resource.etag)
    return resource_public(updated.resource)


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
    return RateList(rates=[rate_public(r) for r in found.rates])


@router.get("/resources/{id}/time-off", response_model=TimeOffList)
async def list_time_off(resource_id: ResourceId, capacity: Capacity,
                        limit: Limit = 50, cursor: Cursor = None):
    """A resource's time off by start date, a page at a time."""
    page = await capacity.ListTimeOff(pb.ListTimeOffRequest(
        resource_id=str(resource_id), page_size=limit, page_token=cursor or ""))
    return TimeOffList(time_off=[time_off_public(t) for t in page.time_off],
                       next_cursor=page.next_page_token or None)


@router.post("/resources/{id}/time-off", status_code=status.HTTP_201_CREATED,
             response_model=TimeOffPublic, dependencies=[IdempotentWrite])
async def create_time_off(resource_id: ResourceId, body: TimeOffCreate, capacity: Capacity):
    """Record time off; it takes hours out of the resource's available hours. Manager or above."""
    created = await capacity.CreateTimeOff(pb.CreateTimeOffRequest(time_off=pb.TimeOff(
        resource_id=str(resource_id), start_date=body.start_date.isoformat(),
        end_date=body.end_date.isoformat(),
        hours_per_day=decimal_text(body.hours_per_day) if body.hours_per_day is not None else "",
        reason=body.reason,
    )))
    return time_off_public(created.time_off)


@router.get("/holidays", response_model=HolidayList)
async def list_holidays(capacity: Capacity, limit: Limit = 50,
                        cursor: Cursor = None):
    """The organization's holidays by date."""
    page = await capacity.ListHolidays(
        pb.ListHolidaysRequest(page_size=limit, page_token=cursor or ""))
    return HolidayList(holidays=[holiday_public(h) for h in page.holidays],
                       next_cursor=page.next_page_token or None)


@router.post("/holidays", status_code=status.HTTP_201_CREATED, response_model=HolidayPublic,
             dependencies=[IdempotentWrite])
async def create_holiday(body: HolidayCreate, capacity: Capacity):
    """An org-wide day off: nobody is available that day. Manager or above."""
    created = await capacity.CreateHoliday(pb.CreateHolidayRequest(
        holiday=pb.Holiday(date=body.date.isoformat(), name=body.name)))
    return holiday_public(created.holiday)
