"""SyncExternalEntries: a platform's time entries (Harvest's, sent by the integrations service)
brought in line. Who they are for and on which project is asked of identity, projects and
capacity first; then one transaction writes the page with its events."""

from __future__ import annotations

from functools import partial

from labs.time.v1 import time_service_pb2 as pb
from labs_common.auth.principal import current_principal
from labs_common.auth.roles import Role
from labs_time.adapters.import_references import ProjectIdReferences
from labs_time.domain import commands, rules
from labs_time.entrypoints.rpcs.base import ServicerBase
from labs_time.service_layer import platform_entries
from labs_time.service_layer.platform_entries import SyncOutcome

ENTRY_FIELDS = ("external_id", "project_id", "email", "first_name", "last_name", "date_worked",
                "hours", "rounded_hours", "notes", "billable", "billable_rate", "cost_rate",
                "currency", "approved")


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
        principal = current_principal()
        principal.require(Role.MANAGER)  # before anyone else is asked on its behalf
        command = command_of(request)
        platform_entries.check_request(command)
        refs = ProjectIdReferences(self._directory, principal.token, create_missing=False)
        await refs.load()
        outcome = SyncOutcome()
        staged = await platform_entries.staged_entries(command, refs, outcome)
        return await self._handle(
            context, request,
            partial(platform_entries.sync_entries, staged=staged, outcome=outcome),
            command, response_of)
