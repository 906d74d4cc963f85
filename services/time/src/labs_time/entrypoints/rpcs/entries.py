"""Time entry RPCs: create, get, list, update, delete."""

from __future__ import annotations

import uuid
from datetime import date

from labs.time.v1 import time_service_pb2 as pb
from labs_common.auth.principal import current_principal
from labs_common.pagination import next_page_token, page_size, position
from labs_common.parsing import given, optional_timestamp, optional_uuid, uuid_of
from labs_time.adapters import proto
from labs_time.adapters.repository import EntryFilter
from labs_time.entrypoints.mapping import opt_date
from labs_time.entrypoints.rpcs.base import ServicerBase
from labs_time.service_layer import entries


class EntryRpcs(ServicerBase):
    async def CreateTimeEntry(self, request, context) -> pb.CreateTimeEntryResponse:
        new = entries.NewEntry(
            project_id=uuid_of(request.project_id, "project_id"),
            user_id=optional_uuid(request.user_id, "user_id"),
            task_id=optional_uuid(request.task_id, "task_id"),
            date_worked=request.date_worked, hours=request.hours,
            started_at=optional_timestamp(request, "started_at"),
            ended_at=optional_timestamp(request, "ended_at"),
            billable=given(request, "billable", True),
            notes=request.notes,
        )

        # What projects, identity and capacity know is asked before the transaction opens.
        asked = await entries.ask_for_entry(self._directory, current_principal(), new)

        async def work(uow, principal):
            entry = await entries.record_entry(uow, principal, asked, new)
            return pb.CreateTimeEntryResponse(entry=proto.entry(entry))

        return await self._tenant(context, request, pb.CreateTimeEntryResponse, work)

    async def GetTimeEntry(self, request, context) -> pb.GetTimeEntryResponse:
        entry_id = uuid_of(request.id, "id")

        async def work(uow, principal):
            entry = await entries.get_entry(uow, principal, entry_id)
            return pb.GetTimeEntryResponse(entry=proto.entry(entry))

        return await self._tenant(context, request, pb.GetTimeEntryResponse, work)

    async def ListTimeEntries(self, request, context) -> pb.ListTimeEntriesResponse:
        limit = page_size(request.page_size)
        after = position(request.page_token, date, uuid.UUID)
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

        project = await entries.ask_for_list(self._directory, current_principal(), where)

        async def work(uow, principal):
            found = await entries.list_entries(uow, principal, where, after, limit + 1, project)
            return pb.ListTimeEntriesResponse(
                entries=[proto.entry(e) for e in found[:limit]],
                next_page_token=next_page_token(found, limit, lambda e: (e.date_worked, e.id)),
            )

        return await self._tenant(context, request, pb.ListTimeEntriesResponse, work)

    async def UpdateTimeEntry(self, request, context) -> pb.UpdateTimeEntryResponse:
        entry_id = uuid_of(request.id, "id")
        # A present but empty task_id clears the task; an absent one leaves it as it is.
        task: uuid.UUID | str | None = None
        if request.HasField("task_id"):
            task = uuid_of(request.task_id, "task_id") if request.task_id else ""
        changes = entries.EntryChanges(
            task_id=task,
            date_worked=given(request, "date_worked"),
            hours=given(request, "hours"),
            started_at=optional_timestamp(request, "started_at"),
            ended_at=optional_timestamp(request, "ended_at"),
            billable=given(request, "billable"),
            notes=given(request, "notes"),
        )

        org = await entries.ask_for_change(self._directory, current_principal())

        async def work(uow, principal):
            entry = await entries.change_entry(uow, principal, org, entry_id, changes,
                                               list(request.if_match_etags))
            return pb.UpdateTimeEntryResponse(entry=proto.entry(entry))

        return await self._tenant(context, request, pb.UpdateTimeEntryResponse, work)

    async def DeleteTimeEntry(self, request, context) -> pb.DeleteTimeEntryResponse:
        entry_id = uuid_of(request.id, "id")

        async def work(uow, principal):
            await entries.delete_entry(uow, principal, entry_id, list(request.if_match_etags))
            return pb.DeleteTimeEntryResponse()

        return await self._tenant(context, request, pb.DeleteTimeEntryResponse, work)
