"""Handlers for time entries: record, read, list, change, delete. Each runs inside one short unit
of work; what other services know (project, membership, org settings, rates) is gathered before
it opens by the `ask_*` function beside the handler (see asked.py): from time's read models when
they can answer, else asked with the caller's token (`directory` is service_layer/known.py's
KnownDirectory in the running service), so no transaction waits on another service and a
refusal from them leaves nothing written."""

from __future__ import annotations

import asyncio
import uuid
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from labs_common import zones
from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import FieldErrors, InvalidArgument, NotFound, PermissionDenied
from labs_common.etag import require_match
from labs_time.adapters import proto
from labs_time.adapters.directory import Directory, Organization, PersonRates, Project, snapshot
from labs_time.adapters.repository import EntryFilter
from labs_time.domain import commands, rules
from labs_time.domain.commands import NewEntry
from labs_time.domain.model import TimeEntry
from labs_time.domain.rounding import rule_for
from labs_time.service_layer.asked import SKIPPED, Answer, ask, passes, settle
from labs_time.service_layer.unit_of_work import TimeUnitOfWork


def zone_of(org: Organization) -> ZoneInfo:
    return zones.zone(org.timezone)


def today_in(org: Organization) -> date:
    return zones.today_in(org.timezone)


def require_staff(principal: Principal) -> None:
    """Members and up log time; viewers and clients only read what they are shown elsewhere."""
    principal.require(Role.MEMBER)


async def open_project(directory: Directory, principal: Principal, project_id: uuid.UUID
                       ) -> Project:
    project = await directory.project(principal.token, project_id)
    if project.archived:
        raise InvalidArgument.on("project_id", "the project is archived")
    return project


async def subject_user(directory: Directory, principal: Principal, user_id: uuid.UUID | None
                       ) -> uuid.UUID:
    """Whose time this is: the caller, or (managers and up) another member of the org."""
    if user_id is None or user_id == principal.user_id:
        return principal.user_id
    principal.require(Role.MANAGER)
    try:
        await directory.member(principal.token, user_id)
    except NotFound as error:
        raise InvalidArgument.on("user_id", "is not a member of this organization") from error
    return user_id


async def task_of(directory: Directory, principal: Principal, task_id: uuid.UUID | None
                  ) -> uuid.UUID | None:
    """The project of the task an entry names (None for no task); a task that is not one of
    the caller's org is the request's fault: 422 naming task_id."""
    if task_id is None:
        return None
    try:
        return await directory.task_project(principal.token, task_id)
    except NotFound as error:
        raise InvalidArgument.on("task_id", "is not a task of this organization") from error


def check_task(task_project: uuid.UUID | None, project_id: uuid.UUID) -> None:
    if task_project is not None and task_project != project_id:
        raise InvalidArgument.on("task_id", "is not a task of this project")


NO_TASK: Answer[uuid.UUID | None] = Answer(None)  # a request that names no task


async def ask_task(directory: Directory, principal: Principal, task_id: uuid.UUID | None
                   ) -> Answer[uuid.UUID | None]:
    """The project of the task a request names, asked before the transaction opens."""
    return await ask(lambda: task_of(directory, principal, task_id))


@dataclass(frozen=True)
class Subject:
    """Whose time an entry is: a member (user_id), a resource (resource_id, its rates are the
    entry's), or both; a resource without a login has no user_id."""

    user_id: uuid.UUID | None
    resource_id: uuid.UUID | None = None


async def subject_of(directory: Directory, principal: Principal, new: NewEntry) -> Subject:
    """The member or resource named (someone else's: managers and up), else the caller."""
    if new.resource_id is None:
        return Subject(await subject_user(directory, principal, new.user_id))
    try:
        resource = await directory.resource(principal.token, new.resource_id)
    except NotFound as error:
        raise InvalidArgument.on("resource_id", "is not a resource of this organization"
                                 ) from error
    if resource.user_id != principal.user_id:
        principal.require(Role.MANAGER)
    if new.user_id is not None and new.user_id != resource.user_id:
        raise InvalidArgument.on("resource_id", "is not the resource of user_id")
    return Subject(resource.user_id, resource.id)


def check_alone(new: NewEntry) -> FieldErrors:
    """The entry's own values, checked without asking anyone: every problem at once."""
    problems = FieldErrors()
    problems.check(lambda: measured(new.hours, new.started_at, new.ended_at))
    problems.check(lambda: rules.notes(new.notes))
    if new.date_worked:
        problems.check(lambda: rules.parse_date(new.date_worked, "date_worked"))
    return problems


def measured(hours: str, started_at: datetime | None, ended_at: datetime | None
             ) -> Decimal:
    """Hours given directly, or the span between started_at and ended_at, never both."""
    has_span = started_at is not None or ended_at is not None
    if hours and has_span:
        raise InvalidArgument.on("hours", "give hours or started_at and ended_at, not both")
    if has_span:
        if started_at is None:
            raise InvalidArgument.on("started_at", "is required with ended_at")
        if ended_at is None:
            raise InvalidArgument.on("ended_at", "is required with started_at")
        return rules.span_hours(started_at, ended_at)
    if not hours:
        raise InvalidArgument.on("hours", "is required (or started_at and ended_at)")
    return rules.hours(hours)


def day_worked(new: NewEntry, org: Organization) -> date:
    """The entry's day: as given, else the local day it started, else today (org timezone)."""
    if new.date_worked:
        return rules.work_date(new.date_worked, today_in(org))
    if new.started_at is not None:
        return new.started_at.astimezone(zone_of(org)).date()
    return today_in(org)


async def ask_organization(directory: Directory, principal: Principal) -> Answer[Organization]:
    return await ask(lambda: directory.organization(principal.token))


@dataclass(frozen=True)
class NewEntryAnswers:
    """What recording an entry needs from projects, identity and capacity."""

    project: Answer[Project]
    subject: Answer[Subject]
    org: Answer[Organization]
    date_worked: Answer[date]  # worked out once, so the rates asked are those of the entry's day
    person: Answer[PersonRates]
    task: Answer[uuid.UUID | None] = NO_TASK  # the project of the task named


def read_once(directory: Directory, token: str, **ids: Any) -> AbstractAsyncContextManager:
    """The directory's read-ahead of what a request will ask (KnownDirectory.read_once); a
    directory without read models reads nothing ahead."""
    ahead = getattr(directory, "read_once", None)
    return ahead(token, **ids) if ahead is not None else nullcontext()


async def ask_for_entry(directory: Directory, principal: Principal, new: NewEntry
                        ) -> NewEntryAnswers:
    if not passes(lambda: require_staff(principal), lambda: check_alone(new).raise_any()):
        return NewEntryAnswers(SKIPPED, SKIPPED, SKIPPED, SKIPPED, SKIPPED)
    async with read_once(directory, principal.token, project_ids=[new.project_id],
                         user_ids=[new.user_id or principal.user_id]):
        # Independent lookups in other services: ask them at once, not one after another.
        project, subject, org, task = await asyncio.gather(
            ask(lambda: open_project(directory, principal, new.project_id)),
            ask(lambda: subject_of(directory, principal, new)),
            ask_organization(directory, principal),
            ask_task(directory, principal, new.task_id),
        )
        worked = settle(lambda: day_worked(new, org.get()))

        def rates():
            who, day = subject.get(), worked.get()
            if who.resource_id is not None:
                return directory.resource_rates(principal.token, who.resource_id, day)
            return directory.person_rates(principal.token, who.user_id, day)

        person = await ask(rates)
    return NewEntryAnswers(project, subject, org, worked, person, task)


async def record_entry(new: NewEntry, uow: TimeUnitOfWork, *, asked: NewEntryAnswers
                       ) -> TimeEntry:
    principal = uow.caller
    require_staff(principal)
    check_alone(new).raise_any()
    # What the others answered: every wrong field at once (a 403, 404 or 503 comes first).
    problems = FieldErrors()
    project = problems.check(asked.project.get)
    subject = problems.check(asked.subject.get)
    org = asked.org.get()
    worked = problems.check(asked.date_worked.get)
    task_project = problems.check(asked.task.get)
    if project is not None:
        problems.check(lambda: check_task(task_project, project.id))
    problems.raise_any()
    assert project is not None and subject is not None and worked is not None
    person = asked.person.get()
    hours = measured(new.hours, new.started_at, new.ended_at)
    entry = TimeEntry(
        id=uuid.uuid4(), org_id=principal.org_id, project_id=project.id, user_id=subject.user_id,
        task_id=new.task_id, resource_id=subject.resource_id or person.resource_id,
        date_worked=worked, hours=hours,
        rounded_hours=rule_for(org.settings, str(project.id)).apply(hours),
        billable=new.billable, rates=snapshot(project, person), started_at=new.started_at,
        ended_at=new.ended_at, notes=rules.notes(new.notes), source="manual",
    )
    entry = await uow.entries.add(entry)
    await uow.outbox.add("entry.created", proto.entry_changed(entry), project_id=entry.project_id)
    return entry


def can_see(principal: Principal, entry: TimeEntry) -> bool:
    return entry.user_id == principal.user_id or principal.role.at_least(Role.MANAGER)


async def visible_entry(uow: TimeUnitOfWork, principal: Principal, entry_id: uuid.UUID,
                        *, for_update: bool = False) -> TimeEntry:
    entry = await uow.entries.get(entry_id, for_update=for_update)
    if entry is None or not can_see(principal, entry):
        raise NotFound("No such time entry.", reason="ENTRY_NOT_FOUND")
    return entry


async def get_entry(command: commands.GetTimeEntry, uow: TimeUnitOfWork) -> TimeEntry:
    require_staff(uow.caller)
    return await visible_entry(uow, uow.caller, command.id)


async def ask_for_list(directory: Directory, principal: Principal, where: EntryFilter
                       ) -> Answer[Project | None]:
    """A project filter must name a project of the caller's org (else 404)."""
    if where.project_id is None:
        return Answer(None)
    project_id = where.project_id
    return await ask(lambda: directory.project(principal.token, project_id))


async def list_entries(command: commands.ListTimeEntries, uow: TimeUnitOfWork, *,
                       project: Answer[Project | None] | None = None) -> list[TimeEntry]:
    principal, where = uow.caller, command.where
    if project is not None:
        project.get()
    if not principal.role.at_least(Role.MEMBER):
        raise PermissionDenied("Time entries are for members and up.", reason="ROLE_TOO_LOW")
    if not principal.role.at_least(Role.MANAGER):
        # Members see their own time; asking for someone else's finds nothing.
        if where.user_id not in (None, principal.user_id):
            return []
        where = EntryFilter(**{**where.__dict__, "user_id": principal.user_id})
    return await uow.entries.list(where, command.after, command.limit)


async def ask_for_change(directory: Directory, principal: Principal) -> Answer[Organization]:
    """The org's timezone (for a new date) and rounding rule (for new hours)."""
    if not passes(lambda: require_staff(principal)):
        return SKIPPED
    return await ask_organization(directory, principal)


async def change_entry(command: commands.ChangeTimeEntry, uow: TimeUnitOfWork, *,
                       asked: Answer[Organization],
                       task: Answer[uuid.UUID | None] = NO_TASK) -> TimeEntry:
    """`task`: the project of the task the change names, asked before (see ask_task)."""
    principal, changes = uow.caller, command.changes
    require_staff(principal)
    entry = await visible_entry(uow, principal, command.entry_id, for_update=True)
    require_match(entry.etag, list(command.if_match), "time entry")
    entry.ensure_editable()
    org = asked.get()
    changed: list[str] = []
    if changes.task_id is not None:
        if changes.task_id:
            check_task(task.get(), entry.project_id)
        entry.task_id = changes.task_id or None  # type: ignore[assignment]
        changed.append("task_id")
    if changes.notes is not None:
        entry.notes = rules.notes(changes.notes)
        changed.append("notes")
    if changes.billable is not None:
        entry.billable = changes.billable
        changed.append("billable")
    if changes.date_worked is not None:
        entry.date_worked = rules.work_date(changes.date_worked, today_in(org))
        changed.append("date_worked")
    if changes.hours is not None or changes.started_at or changes.ended_at:
        if changes.started_at or changes.ended_at:
            started = changes.started_at or entry.started_at
            ended = changes.ended_at or entry.ended_at
            entry.hours = measured(changes.hours or "", started, ended)
            entry.started_at, entry.ended_at = started, ended
            changed += ["started_at", "ended_at"]
        else:
            entry.hours = rules.hours(changes.hours or "")
            entry.started_at = entry.ended_at = None
        changed.append("hours")
    if not changed:
        return entry
    assert entry.hours is not None
    entry.rounded_hours = rule_for(org.settings, str(entry.project_id)).apply(entry.hours)
    entry = await uow.entries.save(entry)
    await uow.outbox.add("entry.updated", proto.entry_changed(entry, changed=changed),
                         project_id=entry.project_id)
    return entry


async def delete_entry(command: commands.DeleteTimeEntry, uow: TimeUnitOfWork) -> None:
    principal = uow.caller
    require_staff(principal)
    entry = await visible_entry(uow, principal, command.entry_id, for_update=True)
    require_match(entry.etag, list(command.if_match), "time entry")
    if not entry.is_running:
        entry.ensure_editable()
    await uow.entries.delete(entry.id)
    await uow.outbox.add("entry.deleted", proto.entry_changed(entry), project_id=entry.project_id)


def utc_now() -> datetime:
    return datetime.now(UTC)
