"""SyncExternalEntries: a platform's time entries (Harvest's, sent by the integrations service)
brought in line. Whom and which projects they name is asked of identity, projects and capacity
first; then one transaction writes the call's changes with their events."""

from __future__ import annotations

from dataclasses import fields
from functools import partial

from labs.time.v1 import time_service_pb2 as pb
from labs_common.auth.principal import current_principal
from labs_time.domain import commands, rules
from labs_time.entrypoints.rpcs.base import ServicerBase
from labs_time.service_layer import platform_entries
from labs_time.service_layer.platform_entries import SyncOutcome

ENTRY_FIELDS = tuple(f.name for f in fields(commands.PlatformEntry))


def command_of(request: pb.SyncExternalEntriesRequest) -> commands.SyncPlatformEntries:
    reconcile = None
    if request.HasField("reconcile"):
        window = request.reconcile
        reconcile = commands.Reconcile(
            rules.parse_date(window.date_from, "reconcile.date_from"),
            rules.parse_date(window.date_to, "reconcile.date_to"), tuple(window.external_ids))
    return commands.SyncPlatformEntries(
        source=request.source, reconcile=reconcile,
        entries=tuple(commands.PlatformEntry(**{name: getattr(e, name) for name in ENTRY_FIELDS})
                      for e in request.entries))


def response_of(outcome: SyncOutcome) -> pb.SyncExternalEntriesResponse:
    return pb.SyncExternalEntriesResponse(
        created=outcome.created, updated=outcome.updated, unchanged=outcome.unchanged,
        deleted=outcome.deleted, errors=[
            pb.ExternalEntryError(external_id=external_id, field=field, message=message)
            for external_id, field, message in outcome.errors])


class PlatformSyncRpcs(ServicerBase):
    async def SyncExternalEntries(self, request, context) -> pb.SyncExternalEntriesResponse:
        """A platform's entries created, updated or left as they are, and, with a reconcile
        window, those it no longer has deleted (managers)."""
        command = command_of(request)
        plan = await platform_entries.ask_for_sync(self._directory, current_principal(),
                                                   command)
        return await self._handle(context, request,
                                  partial(platform_entries.sync_entries, plan=plan), command,
                                  response_of)
