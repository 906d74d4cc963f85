"""Timers: one running entry per user. Starting one stops the running one first; stopping turns
it into per-day entries (see domain/timers.py for the midnight and 24-hour rule). The project, the
org's settings and the rates are gathered before the transaction opens (`ask_*`, see asked.py:
from the read models, else from their owners, service_layer/known.py); the transaction only
takes the per-user lock and writes."""

from __future__ import annotations

import asyncio
import uuid
import zlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text

from labs_common.auth.principal import Principal
from labs_common.errors import Conflict, NotFound
from labs_time.adapters import proto
from labs_time.adapters.directory import Directory, Organization, PersonRates, Project, snapshot
from labs_time.domain import commands, rules
from labs_time.domain.model import TimeEntry
from labs_time.domain.rounding import rule_for
from labs_time.domain.timers import timer_pieces
from labs_time.service_layer.asked import SKIPPED, Answer, ask, passes, settle
from labs_time.service_layer.entries import (
    NO_TASK,
    ask_organization,
    ask_task,
    check_task,
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


@dataclass(frozen=True)
class StartAnswers:
    project: Answer[Project]
    org: Answer[Organization]
    today: Answer[date]  # worked out once: the day whose rates are snapshotted
    person: Answer[PersonRates]
    task: Answer[uuid.UUID | None] = NO_TASK  # the project of the task named


async def ask_for_start(directory: Directory, principal: Principal, project_id: uuid.UUID,
                        task_id: uuid.UUID | None = None) -> StartAnswers:
    if not passes(lambda: require_staff(principal)):
        return StartAnswers(SKIPPED, SKIPPED, SKIPPED, SKIPPED)
    project, org, task = await asyncio.gather(
        ask(lambda: open_project(directory, principal, project_id)),
        ask_organization(directory, principal),
        ask_task(directory, principal, task_id))
    today = settle(lambda: today_in(org.get()))
    person = await ask(lambda: directory.person_rates(principal.token, principal.user_id,
                                                      today.get()))
    return StartAnswers(project, org, today, person, task)


async def start_timer(command: commands.StartTimer, uow: TimeUnitOfWork, *, asked: StartAnswers
                      ) -> tuple[TimeEntry, list[TimeEntry]]:
    principal = uow.caller
    require_staff(principal)
    project, org = asked.project.get(), asked.org.get()
    check_task(asked.task.get(), project.id)
    today, person = asked.today.get(), asked.person.get()
    await _serialize_user(uow, principal)
    stopped: list[TimeEntry] = []
    if running := await uow.entries.running_for(principal.user_id, for_update=True):
        stopped = await _finish(uow, running, org)
    entry = await uow.entries.add(TimeEntry(
        id=uuid.uuid4(), org_id=principal.org_id, project_id=project.id,
        user_id=principal.user_id, task_id=command.task_id, resource_id=person.resource_id,
        date_worked=today, hours=None, rounded_hours=None, billable=True,
        rates=snapshot(project, person), started_at=utc_now(), is_running=True,
        notes=rules.notes(command.notes), source="timer",
    ))
    await uow.outbox.add("entry.started", proto.entry_changed(entry), project_id=entry.project_id)
    return entry, stopped


async def ask_for_stop(directory: Directory, principal: Principal) -> Answer[Organization]:
    """The org's timezone (where the days split) and rounding rule."""
    if not passes(lambda: require_staff(principal)):
        return SKIPPED
    return await ask_organization(directory, principal)


async def stop_timer(command: commands.StopTimer, uow: TimeUnitOfWork, *,
                     asked: Answer[Organization]) -> list[TimeEntry]:
    principal = uow.caller
    require_staff(principal)
    org = asked.get()
    await _serialize_user(uow, principal)
    running = await uow.entries.running_for(principal.user_id, for_update=True)
    if running is None:
        raise Conflict("No timer is running.", reason="NO_RUNNING_TIMER")
    return await _finish(uow, running, org)


async def current_timer(command: commands.GetCurrentTimer, uow: TimeUnitOfWork) -> TimeEntry:
    principal = uow.caller
    require_staff(principal)
    running = await uow.entries.running_for(principal.user_id)
    if running is None:
        raise NotFound("No timer is running.", reason="NO_RUNNING_TIMER")
    return running
