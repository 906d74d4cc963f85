"""The Harvest syncer of the sync worker: Harvest's people, projects and time entries brought into
Labs for one org, as the member who connected Harvest.

Incremental: time entries changed since the last sync (`updated_since`, from a little before the
newest change seen, so an edit in flight or a skewed clock is not missed), a page of up to 2,000
at a time, each page brought in line by the time service in one call (matched by Harvest's id:
a changed entry updates, nothing is duplicated, whatever is re-read). Harvest does not list what
was deleted, so a reconcile (the first sync, then nightly) rereads the entries of the last
`harvest_reconcile_days` (pages, not a request per month) and hands the time service each
month's ids: it deletes the month's Harvest entries that are not among them. The cursor moves
only once a sync has read everything: a sync that fails runs again from where the last good one
ended. No transaction is open while Harvest or another service is asked.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from labs.time.v1 import time_service_pb2 as time_pb
from labs_common.db.uow import Scope
from labs_integrations.adapters.harvest_api import HarvestApi
from labs_integrations.adapters.harvest_labs import (
    EntriesOutcome,
    HarvestLabs,
    HarvestProject,
    external_entry,
)
from labs_integrations.adapters.platforms import HarvestSide
from labs_integrations.config import Settings
from labs_integrations.domain.connections import Credentials
from labs_integrations.service_layer.syncs import SyncOutcome
from labs_integrations.service_layer.unit_of_work import UowFactory

# An OAuth token with less than this left is refreshed before the sync uses it (they last 14
# days; syncs run every few minutes, so a token is renewed long before it lapses): the margin
# of Harvest's tokens in service_layer/oauth_tokens.py.
REFRESH_BEFORE = timedelta(days=1)
MAX_ERRORS = 100


def harvest_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def months(first: date, last: date) -> list[tuple[date, date]]:
    """[first, last] cut into calendar months."""
    windows, start = [], first
    while start <= last:
        following = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
        windows.append((start, min(last, following - timedelta(days=1))))
        start = following
    return windows


class HarvestSync:
    def __init__(self, uow: UowFactory, side: HarvestSide, labs: HarvestLabs,
                 settings: Settings) -> None:
        self._uow = uow
        self._api: HarvestApi = side.api
        self._labs = labs
        self._overlap = timedelta(seconds=settings.harvest_overlap_seconds)
        self._reconcile_every = timedelta(seconds=settings.harvest_reconcile_seconds)
        self._reconcile_days = settings.harvest_reconcile_days

    async def __call__(self, credentials: Credentials) -> SyncOutcome:
        connection = credentials.connection
        org, actor = connection.org_id, connection.connected_by
        secret = credentials.secret  # renewed by the sync worker when it was about to lapse
        started = datetime.now(UTC)
        async with self._uow(Scope(org_id=org)) as uow:
            since, reconciled_at = await uow.harvest_cursors.get()
            linked = await uow.harvest_projects.all()
        run = _Run(self, secret, org, actor, linked, connection.settings.get("projects"))
        await run.people()
        params = {"updated_since": (since - self._overlap).isoformat()} if since else {}
        newest = await run.entries(self._api.pages(secret, "/v2/time_entries", "time_entries",
                                                   params))
        reconcile = since is not None and (
            reconciled_at is None or started - reconciled_at >= self._reconcile_every)
        if reconcile:
            await run.reconcile(started.date() - timedelta(days=self._reconcile_days),
                                started.date())
        async with self._uow(Scope(org_id=org)) as uow:
            # The first sync read every entry: it is a reconcile as well.
            await uow.harvest_cursors.advance(
                updated_since=newest or since or started,
                reconciled_at=started if reconcile or since is None else None)
            await uow.commit()
        return SyncOutcome(records=run.records, errors=run.errors[:MAX_ERRORS])

class _Run:
    """One sync's reading of Harvest: its people, the projects it has linked, its tally."""

    def __init__(self, sync: HarvestSync, secret: dict[str, Any], org: uuid.UUID,
                 actor: uuid.UUID, linked: dict[int, uuid.UUID], wanted: Any) -> None:
        self._sync = sync
        self._api = sync._api
        self._labs = sync._labs
        self._secret = secret
        self._org = org
        self._actor = actor
        self._linked = linked
        # The connection's `projects` setting: the Harvest project ids to sync (none: all).
        self._wanted = {int(found) for found in wanted} if isinstance(wanted, list) and wanted \
            else None
        self._people: dict[int, dict[str, Any]] = {}
        self.records = 0
        self.errors: list[str] = []

    async def people(self) -> None:
        async for page in self._api.pages(self._secret, "/v2/users", "users"):
            self._people.update({user["id"]: user for user in page})

    async def _project(self, harvest: dict[str, Any]) -> uuid.UUID:
        found = self._linked.get(harvest["id"])
        if found is not None:
            return found
        full = await self._api.get(self._secret, f"/v2/projects/{harvest['id']}")
        project_id = await self._labs.project(self._org, self._actor, HarvestProject(
            harvest_id=full["id"], name=full["name"],
            client_name=(full.get("client") or {}).get("name", ""),
            billable=bool(full.get("is_billable", True)), active=bool(full.get("is_active"))))
        async with self._sync._uow(Scope(org_id=self._org)) as uow:
            await uow.harvest_projects.link(full["id"], project_id)
            await uow.commit()
        self._linked[full["id"]] = project_id
        return project_id

    async def _page(self, rows: list[dict[str, Any]]) -> list[time_pb.ExternalEntry]:
        entries = []
        for row in rows:
            project = row.get("project") or {}
            if row.get("is_running") or (self._wanted is not None
                                         and project.get("id") not in self._wanted):
                continue  # a running timer is taken once it stops
            person = self._people.get((row.get("user") or {}).get("id"))
            entries.append(external_entry(row, person, await self._project(project)))
        return entries

    def _tally(self, outcome: EntriesOutcome) -> None:
        self.records += outcome.changed + outcome.unchanged
        self.errors += outcome.errors

    async def entries(self, pages: AsyncIterator[list[dict[str, Any]]]) -> datetime | None:
        """Every page brought in line; answers the newest `updated_at` read."""
        newest = None
        async for rows in pages:
            for row in rows:
                changed = harvest_time(row.get("updated_at"))
                if changed and (newest is None or changed > newest):
                    newest = changed
            if entries := await self._page(rows):
                self._tally(await self._labs.entries(self._org, self._actor, entries))
        return newest

    async def reconcile(self, first: date, last: date) -> None:
        """One read of the window's entries (brought in line as they come), then each month's
        Harvest ids to the time service, which deletes that month's others."""
        ids: dict[tuple[int, int], list[str]] = {}
        async for rows in self._api.pages(self._secret, "/v2/time_entries", "time_entries",
                                          {"from": first.isoformat(), "to": last.isoformat()}):
            for row in rows:
                day = date.fromisoformat(row["spent_date"])
                ids.setdefault((day.year, day.month), []).append(str(row["id"]))
            if entries := await self._page(rows):
                self._tally(await self._labs.entries(self._org, self._actor, entries))
        for start, end in months(first, last):
            self._tally(await self._labs.entries(self._org, self._actor, [],
                                                 time_pb.ReconcileWindow(
                date_from=start.isoformat(), date_to=end.isoformat(),
                external_ids=ids.get((start.year, start.month), []))))
