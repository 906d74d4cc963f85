"""Time entry RPCs: create, get, list, update, delete."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from functools import partial

from labs.time.v1 import time_service_pb2 as pb
from labs_common.auth.principal import current_principal
from labs_common.pagination import page_size, position
from labs_common.parsing import given, optional_timestamp, optional_uuid, uuid_of
from labs_time.adapters import proto
from labs_time.adapters.repository import EntryFilter
from labs_time.domain import commands
from labs_time.entrypoints.mapping import opt_date
from labs_time.entrypoints.rpcs.base import ServicerBase
from labs_time.service_layer import entries


class EntryRpcs(ServicerBase):
    async def CreateTimeEntry(self, request, context) -> pb.CreateTimeEntryResponse:
        """Records time on a project (hours, or a start and an end), its rates snapshotted."""
        new = commands.NewEntry(
            project_id=uuid_of(request.project_id, "project_id"),
            user_id=optional_uuid(request.user_id, "user_id"),
            resource_id=optional_uuid(request.resource_id, "resource_id"),
            task_id=optional_uuid(request.task_id, "task_id"),
            date_worked=request.date_worked, hours=request.hours,
            started_at=optional_timestamp(request, "started_at"),
            ended_at=optional_timestamp(request, "ended_at"),
            billable=given(request, "billable", True),
            notes=request.notes,
        )
        # What projects, identity and capacity know is asked before the transaction opens.
        asked = await entries.ask_for_entry(self._directory, current_principal(), new)
        return await self._handle(context, request, partial(entries.record_entry, asked=asked),
                                  new, entry=proto.entry)

    async def GetTimeEntry(self, request, context) -> pb.GetTimeEntryResponse:
        """One entry (one's own; managers: any)."""
        return await self._get_one(context, request, entries.get_entry, commands.GetTimeEntry,
                                   entry=proto.entry)

    async def ListTimeEntries(self, request, context) -> pb.ListTimeEntriesResponse:
        """Entries by date, filtered (members: their own), a page at a time."""
        limit = page_size(request.page_size)
        where = EntryFilter(
            project_id=optional_uuid(request.project_id, "project_id"),
            user_id=optional_uuid(request.user_id, "user_id"),
            resource_id=optional_uuid(request.resource_id, "resource_id"),
            task_id=optional_uuid(request.task_id, "task_id"),
            date_from=opt_date(request.date_from, "date_from"),
            date_to=opt_date(request.date_to, "date_to"),
            billable=given(request, "billable"),
            invoiced=given(request, "invoiced"),
        )
        command = commands.ListTimeEntries(where, position(request.page_token, date, uuid.UUID),
                                           limit + 1)
        project = await entries.ask_for_list(self._directory, current_principal(), where)
        return await self._handle_page(
            context, request, partial(entries.list_entries, project=project), command, limit,
            entries=proto.entry, key=lambda e: (e.date_worked, e.id))

    async def UpdateTimeEntry(self, request, context) -> pb.UpdateTimeEntryResponse:
        """Changes the fields present, if the etag matches and the entry is not locked."""
        # A present but empty task_id clears the task; an absent one leaves it as it is.
        task: uuid.UUID | str | None = None
        if request.HasField("task_id"):
            task = uuid_of(request.task_id, "task_id") if request.task_id else ""
        command = commands.ChangeTimeEntry(
            entry_id=uuid_of(request.id, "id"),
            changes=commands.EntryChanges(
                task_id=task,
                date_worked=given(request, "date_worked"),
                hours=given(request, "hours"),
                started_at=optional_timestamp(request, "started_at"),
                ended_at=optional_timestamp(request, "ended_at"),
                billable=given(request, "billable"),
                notes=given(request, "notes"),
            ),
            if_match=tuple(request.if_match_etags),
        )
        org, named = await asyncio.gather(
            entries.ask_for_change(self._directory, current_principal()),
            entries.ask_task(self._directory, current_principal(), task or None))
        return await self._handle(context, request,
                                  partial(entries.change_entry, asked=org, task=named),
                                  command, entry=proto.entry)

    async def DeleteTimeEntry(self, request, context) -> pb.DeleteTimeEntryResponse:
        """Removes an entry that is not locked (a running timer may always go)."""
        command = commands.DeleteTimeEntry(uuid_of(request.id, "id"),
                                           tuple(request.if_match_etags))
        return await self._handle(context, request, entries.delete_entry, command)
