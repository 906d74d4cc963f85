"""Timers: one running entry per user. Starting one stops the running one first; stopping turns
it into per-day entries (see domain/timers.py for the midnight and 24-hour rule)."""

from __future__ import annotations

import uuid
import zlib

from sqlalchemy import text

from labs_common.auth.principal import Principal
from labs_common.errors import Conflict, NotFound
from labs_time.adapters import proto
from labs_time.adapters.directory import Directory, Organization, snapshot
from labs_time.domain import rules
from labs_time.domain.model import TimeEntry
from labs_time.domain.rounding import rule_for
from labs_time.domain.timers import timer_pieces
from labs_time.service_layer.entries import (
    open_project,
    require_staff,
    today_in,
    utc_now,
    zone_of,
)
from labs_time.service_layer.unit_of_work import TimeUnitOfWork


async def _serialize_user(uow: TimeUnitOfWork, principal: Principal) -> None:
    """Two devices starting at the same instant take turns here, so the second one stops the
    first's timer instead of failing; the partial unique index stays the last word."""
    key = zlib.crc32(f"timer:{principal.org_id}:{principal.user_id}".encode())
    await uow.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


async def _finish(uow: TimeUnitOfWork, running: TimeEntry, org: Organization) -> list[TimeEntry]:
    """The running entry becomes its first day's piece; later days become new entries."""
    rule = rule_for(org.settings, str(running.project_id))
    assert running.started_at is not None
    pieces = timer_pieces(running.started_at, utc_now(), zone_of(org))
    first, *rest = pieces
    running.is_running = False
    running.date_worked, running.ended_at = first.date_worked, first.ended_at
    running.started_at, running.hours = first.started_at, first.hours
    running.rounded_hours = rule.apply(first.hours)
    finished = [await uow.entries.save(running)]
    for piece in rest:
        finished.append(await uow.entries.add(TimeEntry(
            id=uuid.uuid4(), org_id=running.org_id, project_id=running.project_id,
            user_id=running.user_id, task_id=running.task_id, resource_id=running.resource_id,
            date_worked=piece.date_worked, hours=piece.hours,
            rounded_hours=rule.apply(piece.hours), billable=running.billable,
            rates=running.rates, started_at=piece.started_at, ended_at=piece.ended_at,
            notes=running.notes, source="timer",
        )))
    for entry in finished:
        await uow.outbox.add("entry.stopped", proto.entry_changed(entry),
                             project_id=entry.project_id)
    return finished


async def start_timer(uow: TimeUnitOfWork, principal: Principal, directory: Directory,
                      project_id: uuid.UUID, task_id: uuid.UUID | None, notes: str
                      ) -> tuple[TimeEntry, list[TimeEntry]]:
    require_staff(principal)
    project = await open_project(directory, principal, project_id)
    org = await directory.organization(principal.token)
    today = today_in(org)
    person = await directory.person_rates(principal.token, principal.user_id, today)
    await _serialize_user(uow, principal)
    stopped: list[TimeEntry] = []
    if running := await uow.entries.running_for(principal.user_id, for_update=True):
        stopped = await _finish(uow, running, org)
    entry = await uow.entries.add(TimeEntry(
        id=uuid.uuid4(), org_id=principal.org_id, project_id=project.id,
        user_id=principal.user_id, task_id=task_id, resource_id=person.resource_id,
        date_worked=today, hours=None, rounded_hours=None, billable=True,
        rates=snapshot(project, person), started_at=utc_now(), is_running=True,
        notes=rules.notes(notes), source="timer",
    ))
    await uow.outbox.add("entry.started", proto.entry_changed(entry), project_id=entry.project_id)
    return entry, stopped


async def stop_timer(uow: TimeUnitOfWork, principal: Principal, directory: Directory
                     ) -> list[TimeEntry]:
    require_staff(principal)
    org = await directory.organization(principal.token)
    await _serialize_user(uow, principal)
    running = await uow.entries.running_for(principal.user_id, for_update=True)
    if running is None:
        raise Conflict("No timer is running.", reason="NO_RUNNING_TIMER")
    return await _finish(uow, running, org)


async def current_timer(uow: TimeUnitOfWork, principal: Principal) -> TimeEntry:
    require_staff(principal)
    running = await uow.entries.running_for(principal.user_id)
    if running is None:
        raise NotFound("No timer is running.", reason="NO_RUNNING_TIMER")
    return running
