"""What a Harvest sync changes in Labs, as the member who connected Harvest (their delegated
token, so their role and each service's own rules apply): projects found or created in the
projects service, time entries brought in line by the time service (its rates, rounding and
locks)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs.time.v1 import time_service_pb2 as time_pb
from labs_common.auth.delegation import DelegatedTokens, acting_as
from labs_common.grpc.status import remote_call, remote_lookup

SOURCE = "harvest"
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class HarvestProject:
    harvest_id: int
    name: str
    client_name: str
    billable: bool
    active: bool


@dataclass(frozen=True)
class EntriesOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    errors: tuple[str, ...] = ()

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


class HarvestLabs:
    """`projects` and `time`: stubs of those services on the platform's channels."""

    def __init__(self, tokens: DelegatedTokens, projects, time) -> None:
        self._tokens = tokens
        self._projects = projects
        self._time = time

    async def _as(self, org_id: uuid.UUID, user_id: uuid.UUID):
        return await self._tokens.token(org_id, user_id=user_id, reason="harvest sync")

    async def project(self, org_id: uuid.UUID, user_id: uuid.UUID, harvest: HarvestProject
                      ) -> uuid.UUID:
        """The Labs project of this name, else a new one under its client (found or created by
        name), active or completed as it is in Harvest."""
        with acting_as(await self._as(org_id, user_id)):
            found = await remote_lookup(self._projects.ResolveProject(
                projects_pb.ResolveProjectRequest(name=harvest.name)))
            if found is not None:
                return uuid.UUID(found.project.id)
            project = projects_pb.Project(
                name=harvest.name,
                status=projects_pb.PROJECT_STATUS_ACTIVE if harvest.active
                else projects_pb.PROJECT_STATUS_COMPLETED,
                budget_type=projects_pb.BUDGET_TYPE_TIME_AND_MATERIALS if harvest.billable
                else projects_pb.BUDGET_TYPE_NON_BILLABLE)
            created = await remote_call(self._projects.CreateProject(
                projects_pb.CreateProjectRequest(project=project,
                                                 client_name=harvest.client_name)))
        return uuid.UUID(created.project.id)

    async def entries(self, org_id: uuid.UUID, user_id: uuid.UUID,
                      entries: list[time_pb.ExternalEntry],
                      reconcile: time_pb.ReconcileWindow | None = None) -> EntriesOutcome:
        request = time_pb.SyncExternalEntriesRequest(source=SOURCE, entries=entries)
        if reconcile is not None:
            request.reconcile.CopyFrom(reconcile)
        with acting_as(await self._as(org_id, user_id)):
            answer = await remote_call(self._time.SyncExternalEntries(request))
        sent = {entry.external_id: entry for entry in entries}

        def described(error: time_pb.ExternalEntryError) -> str:
            entry = sent.get(error.external_id)
            who = f" ({entry.first_name} {entry.last_name}, {entry.email or 'no email'}, " \
                  f"{entry.date_worked})" if entry is not None else ""
            return f"Harvest time entry {error.external_id}{who}: {error.field}: {error.message}"

        return EntriesOutcome(answer.created, answer.updated, answer.unchanged, answer.deleted,
                              tuple(described(error) for error in answer.errors))


def _decimal(value) -> str:
    """Harvest's JSON numbers (2.5, 0.33, 150.0) as Labs' decimal strings; None as empty."""
    if value is None or value == "":
        return ""
    return str(Decimal(str(value)).quantize(CENTS))


def external_entry(row: dict[str, Any], person: dict[str, Any] | None, project_id: uuid.UUID
                   ) -> time_pb.ExternalEntry:
    """A Harvest time entry as the time service takes it: whom by the Harvest user's email
    (else their name), its own hours, rounding and rate snapshots, approved as approved."""
    person = person or {}
    user = row.get("user") or {}
    first, _, last = str(user.get("name", "")).partition(" ")
    rates_given = row.get("billable_rate") is not None or row.get("cost_rate") is not None
    return time_pb.ExternalEntry(
        external_id=str(row["id"]), project_id=str(project_id),
        email=str(person.get("email") or ""),
        first_name=str(person.get("first_name") or first),
        last_name=str(person.get("last_name") or last),
        date_worked=str(row.get("spent_date") or ""), hours=_decimal(row.get("hours")),
        rounded_hours=_decimal(row.get("rounded_hours")), notes=str(row.get("notes") or ""),
        billable=bool(row.get("billable", True)),
        billable_rate=_decimal(row.get("billable_rate")), cost_rate=_decimal(row.get("cost_rate")),
        currency=str((row.get("client") or {}).get("currency") or "") if rates_given else "",
        approved=row.get("approval_status") == "approved")
