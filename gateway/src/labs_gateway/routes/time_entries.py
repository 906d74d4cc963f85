"""Time entries: log on a project (by hours or start/end), list with filters across projects,
read, change (PUT/PATCH change only the fields given; If-Match) and delete."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from labs.time.v1 import time_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_gateway.dependencies import IdempotentWrite, IfMatch
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.etags import if_match_etags, set_etag
from labs_gateway.routes.time_common import Cursor, Limit, Time
from labs_gateway.schemas.proto_json import to_message
from labs_gateway.schemas.public import public
from labs_gateway.schemas.time import (
    TimeEntryCreate,
    TimeEntryList,
    TimeEntryPublic,
    TimeEntryUpdate,
)

router = APIRouter(route_class=ExactJsonRoute, tags=["time"], responses=PROBLEM_RESPONSES)
EntryId = Annotated[uuid.UUID, Path(alias="id")]
DateQuery = Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD",
                                            json_schema_extra={"format": "date"})]


def _list_request(**filters) -> pb.ListTimeEntriesRequest:
    values = {name: value for name, value in filters.items() if value is not None}
    return to_message(pb.ListTimeEntriesRequest, {
        "page_size": values.pop("limit"), "page_token": values.pop("cursor", None), **values})


def _page(page: pb.ListTimeEntriesResponse) -> TimeEntryList:
    return TimeEntryList(time_entries=[public(e) for e in page.entries],
                         next_cursor=page.next_page_token or None)


@router.post("/projects/{id}/time-entries", status_code=status.HTTP_201_CREATED,
             response_model=TimeEntryPublic, dependencies=[IdempotentWrite])
async def create_time_entry(project_id: Annotated[uuid.UUID, Path(alias="id")],
                            body: TimeEntryCreate, time: Time,
                            response: Response):
    """Log time on a project; rates are snapshotted now and rounded_hours follows the rule."""
    request = to_message(pb.CreateTimeEntryRequest, {"project_id": project_id, **body.model_dump()})
    created = await time.CreateTimeEntry(request)
    set_etag(response, created.entry.etag)
    return public(created.entry)


@router.get("/projects/{id}/time-entries", response_model=TimeEntryList)
async def list_project_time_entries(
    project_id: Annotated[uuid.UUID, Path(alias="id")], time: Time,
    user_id: uuid.UUID | None = None, resource_id: uuid.UUID | None = None,
    task_id: uuid.UUID | None = None, date_from: DateQuery = None, date_to: DateQuery = None,
    billable: bool | None = None, invoiced: bool | None = None, limit: Limit = 50,
    cursor: Cursor = None,
):
    """A project's time, newest day first (members see their own)."""
    return _page(await time.ListTimeEntries(_list_request(
        project_id=project_id, user_id=user_id, resource_id=resource_id, task_id=task_id,
        date_from=date_from, date_to=date_to, billable=billable, invoiced=invoiced, limit=limit,
        cursor=cursor)))


@router.get("/time-entries", response_model=TimeEntryList)
async def list_time_entries(
    time: Time, project_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None, resource_id: uuid.UUID | None = None,
    task_id: uuid.UUID | None = None, date_from: DateQuery = None, date_to: DateQuery = None,
    billable: bool | None = None, invoiced: bool | None = None, limit: Limit = 50,
    cursor: Cursor = None,
):
    """Time across projects with the same filters (members see their own)."""
    return _page(await time.ListTimeEntries(_list_request(
        project_id=project_id, user_id=user_id, resource_id=resource_id, task_id=task_id,
        date_from=date_from, date_to=date_to, billable=billable, invoiced=invoiced, limit=limit,
        cursor=cursor)))


@router.get("/time-entries/{id}", response_model=TimeEntryPublic)
async def get_time_entry(entry_id: EntryId, time: Time,
                         response: Response):
    """One time entry; its ETag goes back in If-Match."""
    found = await time.GetTimeEntry(pb.GetTimeEntryRequest(id=str(entry_id)))
    set_etag(response, found.entry.etag)
    return public(found.entry)


async def _update(entry_id, body: TimeEntryUpdate, time, response, if_match):
    given = body.model_fields_set
    if not given:
        raise InvalidArgument.on("body", "Give at least one field to change.")
    for name in sorted(given - {"task_id"}):
        if getattr(body, name) is None:
            raise InvalidArgument.on(name, "must not be null")
    request = to_message(pb.UpdateTimeEntryRequest, {
        "id": entry_id, "if_match_etags": if_match_etags(if_match),
        **body.model_dump(include=given)})
    updated = await time.UpdateTimeEntry(request)
    set_etag(response, updated.entry.etag)
    return public(updated.entry)


@router.patch("/time-entries/{id}", response_model=TimeEntryPublic, dependencies=[IdempotentWrite])
async def patch_time_entry(entry_id: EntryId, body: TimeEntryUpdate, time: Time, response: Response,
                           if_match: IfMatch = None):
    """Change the given fields; locked or invoiced entries answer 409."""
    return await _update(entry_id, body, time, response, if_match)


@router.put("/time-entries/{id}", response_model=TimeEntryPublic, dependencies=[IdempotentWrite])
async def put_time_entry(entry_id: EntryId, body: TimeEntryUpdate, time: Time, response: Response,
                         if_match: IfMatch = None):
    """Same as PATCH: only the fields given change."""
    return await _update(entry_id, body, time, response, if_match)


@router.delete("/time-entries/{id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, dependencies=[IdempotentWrite])
async def delete_time_entry(entry_id: EntryId, time: Time,
                            if_match: IfMatch = None) -> Response:
    """Delete an entry; locked or invoiced entries answer 409."""
    await time.DeleteTimeEntry(pb.DeleteTimeEntryRequest(
        id=str(entry_id), if_match_etags=if_match_etags(if_match)))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
