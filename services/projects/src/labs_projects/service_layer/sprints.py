"""Sprints: create, read, list, update; at most one active per project (checked here for a clear
answer and guaranteed by a partial unique index). Points are computed on every read."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError

from labs.projects.v1 import events_pb2
from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import Conflict, InvalidArgument, NotFound
from labs_common.etag import require_match
from labs_common.field_masks import refuse_unsettable
from labs_projects.adapters import proto
from labs_projects.domain import commands, rules, task_rules
from labs_projects.domain.model import Sprint, SprintStatus
from labs_projects.service_layer.projects import load_project
from labs_projects.service_layer.tasks import writable_project
from labs_projects.service_layer.unit_of_work import ProjectsUnitOfWork

UPDATABLE = frozenset({"name", "goal", "start_date", "end_date", "status"})


def _status(value: str) -> SprintStatus:
    return rules.parse_enum(SprintStatus, value, "status")


def _required_date(value: str, field: str):
    parsed = rules.date_or_none(value, field)
    if parsed is None:
        raise InvalidArgument.on(field, "is required")
    return parsed


async def create_sprint(
    command: commands.CreateSprint, uow: ProjectsUnitOfWork
) -> Sprint:
    principal = uow.caller
    await writable_project(uow, principal, command.project_id, "sprint")
    principal.require(Role.MANAGER)
    sprint = Sprint(
        id=uuid.uuid4(), org_id=principal.org_id, project_id=command.project_id,
        name=rules.check_name(command.fields.get("name", "")),
        goal=rules.check_text(command.fields.get("goal", ""), "goal", 2000),
        start_date=_required_date(command.fields.get("start_date", ""), "start_date"),
        end_date=_required_date(command.fields.get("end_date", ""), "end_date"),
        status=(_status(command.fields["status"]) if command.fields.get("status")
                else SprintStatus.PLANNING),
    )
    task_rules.check_sprint(sprint)
    if sprint.status is SprintStatus.ACTIVE:
        await _check_no_other_active(uow, sprint)
    await _write(uow, uow.sprints.add(sprint))
    sprint = await uow.sprints.get(sprint.id)
    await uow.outbox.add("sprint.created", events_pb2.SprintCreated(sprint=proto.sprint(sprint)),
                         project_id=command.project_id)
    return sprint


async def load_sprint(uow: ProjectsUnitOfWork, principal: Principal, sprint_id: uuid.UUID,
                     *, for_update: bool = False) -> Sprint:
    sprint = await uow.sprints.get(sprint_id, for_update=for_update)
    if sprint is None:
        raise NotFound("No such sprint.")
    try:
        await load_project(uow, principal, sprint.project_id)
    except NotFound:
        raise NotFound("No such sprint.") from None
    return sprint


async def get_sprint(command: commands.GetSprint, uow: ProjectsUnitOfWork) -> Sprint:
    return await load_sprint(uow, uow.caller, command.id)


async def list_sprints(
    command: commands.ListSprints, uow: ProjectsUnitOfWork
) -> list[Sprint]:
    principal = uow.caller
    await load_project(uow, principal, command.project_id)
    return await uow.sprints.page(command.project_id, command.after, command.limit,
                                  status=command.status)


async def update_sprint(
    command: commands.UpdateSprint, uow: ProjectsUnitOfWork
) -> Sprint:
    principal = uow.caller
    refuse_unsettable(command.fields, UPDATABLE)
    if not command.fields:
        raise InvalidArgument.on("update_mask", "name at least one field to update")
    sprint = await load_sprint(uow, principal, command.sprint_id)
    await writable_project(uow, principal, sprint.project_id, "sprint")
    principal.require(Role.MANAGER)
    sprint = await load_sprint(uow, principal, command.sprint_id, for_update=True)
    require_match(sprint.etag, command.if_match, "sprint")
    parsers = {
        "name": rules.check_name,
        "goal": lambda v: rules.check_text(v, "goal", 2000),
        "start_date": lambda v: _required_date(v, "start_date"),
        "end_date": lambda v: _required_date(v, "end_date"),
        "status": _status,
    }
    changed = []
    for field, raw in sorted(command.fields.items()):
        value = parsers[field](raw)
        if field == "status":
            task_rules.check_sprint_transition(sprint.status, value)
        if getattr(sprint, field) != value:
            setattr(sprint, field, value)
            changed.append(field)
    if not changed:
        return sprint
    task_rules.check_sprint(sprint)
    if "status" in changed and sprint.status is SprintStatus.ACTIVE:
        await _check_no_other_active(uow, sprint)
    await _write(uow, uow.sprints.save(sprint))
    sprint = await uow.sprints.get(sprint.id)
    await uow.outbox.add(
        "sprint.updated",
        events_pb2.SprintUpdated(sprint=proto.sprint(sprint), changed_fields=changed),
        project_id=sprint.project_id)
    return sprint


async def _check_no_other_active(uow: ProjectsUnitOfWork, sprint: Sprint) -> None:
    active = await uow.sprints.active_in(sprint.project_id)
    if active is not None and active.id != sprint.id:
        raise Conflict(f"Sprint {active.name} is already active in this project.",
                       reason="SPRINT_ALREADY_ACTIVE",
                       metadata={"active_sprint_id": str(active.id)})


async def _write(uow: ProjectsUnitOfWork, statement) -> None:
    """Run a write; two sprints activated at once lose the race to the partial unique index."""
    try:
        async with uow.session.begin_nested():
            await statement
    except IntegrityError as error:
        if "sprints_one_active" in str(error.orig):
            raise Conflict("Another sprint of this project is already active.",
                           reason="SPRINT_ALREADY_ACTIVE") from None
        raise
