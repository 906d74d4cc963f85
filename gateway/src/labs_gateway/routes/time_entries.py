"""Time entries: log on a project (by hours or start/end), list with filters across projects,
read, change (PUT/PATCH change only the fields given; If-Match) and delete."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from labs.time.v1 import time_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_gateway.dependencies import IdempotentWrite, IfMatch
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.etags import if_match_etags, set_etag
from labs_gateway.routes.time_common import Cursor, Limit, Time
from labs_gateway.schemas.time import (
    TimeEntryCreate,
    TimeEntryList,
    TimeEntryPublic,
    TimeEntryUpdate,
)
from labs_gateway.schemas.time_mapping import entry_public, hours_text, instant

router = APIRouter(tags=["time"], responses=PROBLEM_RESPONSES)
EntryId = Annotated[uuid.UUID, Path(alias="id")]
DateQuery = Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD")]


def _list_request(project_id, user_id, resource_id, task_id, date_from, date_to, billable,
                  invoiced, limit, cursor) -> pb.ListTimeEntriesRequest:
    request = pb.ListTimeEntriesRequest(
        project_id=str(project_id or ""), user_id=str(user_id or ""),
        resource_id=str(resource_id or ""), task_id=str(task_id or ""),
        date_from=date_from or "", date_to=date_to or "", page_size=limit,
        page_token=cursor or "")
    if billable is not None:
        request.billable = billable
    if invoiced is not None:
        request.invoiced = invoiced
    return request


@router.post("/projects/{id}/time-entries", status_code=status.HTTP_201_CREATED,
             response_model=TimeEntryPublic, dependencies=[IdempotentWrite])
async def create_time_entry(project_id: Annotated[uuid.UUID, Path(alias="id")],
                            body: TimeEntryCreate, time: Time,
                            response: Response):
    """Log time on a project; rates are snapshotted now and rounded_hours follows the rule."""
    request = pb.CreateTimeEntryRequest(
        project_id=str(project_id), task_id=body.task_id or "", user_id=body.user_id or "",
        date_worked=body.date_worked or "", notes=body.notes, billable=body.billable,
        hours=hours_text(body.hours) if body.hours is not None else "")
    if body.started_at is not None:
        request.started_at.CopyFrom(instant(body.started_at, "started_at"))
    if body.ended_at is not None:
        request.ended_at.CopyFrom(instant(body.ended_at, "ended_at"))
    created = await time.CreateTimeEntry(request)
    set_etag(response, created.entry.etag)
    return entry_public(created.entry)


@router.get("/projects/{id}/time-entries", response_model=TimeEntryList)
async def list_project_time_entries(
    project_id: Annotated[uuid.UUID, Path(alias="id")], time: Time,
    user_id: uuid.UUID | None = None, resource_id: uuid.UUID | None = None,
    task_id: uuid.UUID | None = None, date_from: DateQuery = None, date_to: DateQuery = None,
    billable: bool | None = None, invoiced: bool | None = None, limit: Limit = 50,
    cursor: Cursor = None,
):
    """A project's time, newest day first (members see their own)."""
    page = await time.ListTimeEntries(_list_request(
        project_id, user_id, resource_id, task_id, date_from, date_to, billable, invoiced,
        limit, cursor))
    return TimeEntryList(time_entries=[entry_public(e) for e in page.entries],
                         next_cursor=page.next_page_token or None)


@router.get("/time-entries", response_model=TimeEntryList)
async def list_time_entries(
    time: Time, project_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None, resource_id: uuid.UUID | None = None,
    task_id: uuid.UUID | None = None, date_from: DateQuery = None, date_to: DateQuery = None,
    billable: bool | None = None, invoiced: bool | None = None, limit: Limit = 50,
    cursor: Cursor = None,
):
    """Time across projects with the same filters (members see their own)."""
    page = await time.ListTimeEntries(_list_request(
        project_id, user_id, resource_id, task_id, date_from, date_to, billable, invoiced,
        limit, cursor))
    return TimeEntryList(time_entries=[entry_public(e) for e in page.entries],
                         next_cursor=page.next_page_token or None)


@router.get("/time-entries/{id}", response_model=TimeEntryPublic)
async def get_time_entry(entry_id: EntryId, time: Time,
                         response: Response):
    """One time entry; its ETag goes back in If-Match."""
    found = await time.GetTimeEntry(pb.GetTimeEntryRequest(id=str(entry_id)))
    set_etag(response, found.entry.etag)
    return entry_public(found.entry)


async def _update(entry_id, body: TimeEntryUpdate, time, response, if_match):
    given = body.model_fields_set
    if not given:
        raise InvalidArgument.on("body", "Give at least one field to change.")
    request = pb.UpdateTimeEntryRequest(id=str(entry_id), if_match_etags=if_match_etags(if_match))
    for name in ("hours", "started_at", "ended_at", "date_worked", "billable", "notes"):
        if name in given and getattr(body, name) is None:
            raise InvalidArgument.on(name, "must not be null")
    if "hours" in given:
        request.hours = hours_text(body.hours)
    if "started_at" in given:
        request.started_at.CopyFrom(instant(body.started_at, "started_at"))
    if "ended_at" in given:
        request.ended_at.CopyFrom(instant(body.ended_at, "ended_at"))
    if "date_worked" in given:
        request.date_worked = body.date_worked
    if "billable" in given:
        request.billable = body.billable
    if "notes" in given:
        request.notes = body.notes
    if "task_id" in given:
        request.task_id = body.task_id or ""
    updated = await time.UpdateTimeEntry(request)
    set_etag(response, updated.entry.etag)
    return entry_public(updated.entry)


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
