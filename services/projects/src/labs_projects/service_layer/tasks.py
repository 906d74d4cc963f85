"""Tasks: create, read, list, update, move on the board, delete, bulk update. Every change of
positions happens under the project's board lock, so concurrent moves keep columns dense."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from labs.projects.v1 import events_pb2
from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import AlreadyExists, Conflict, FieldError, InvalidArgument, NotFound
from labs_common.etag import require_match
from labs_projects.adapters import proto
from labs_projects.domain import commands, task_rules
from labs_projects.domain.model import Project, ProjectStatus, Task
from labs_projects.service_layer.access import require_writer
from labs_projects.service_layer.members import MemberDirectory, RememberingMemberDirectory
from labs_projects.service_layer.projects import load_project
from labs_projects.service_layer.unit_of_work import ProjectsUnitOfWork

MAX_BULK = 500


async def writable_project(
    uow: ProjectsUnitOfWork, principal: Principal, project_id: uuid.UUID, what: str = "task"
) -> Project:
    require_writer(principal, Role.MEMBER, what)
    project = await load_project(uow, principal, project_id)
    if project.status is ProjectStatus.ARCHIVED:
        raise Conflict("The project is archived; restore it first.", reason="PROJECT_ARCHIVED")
    return project


async def load_task(
    uow: ProjectsUnitOfWork, principal: Principal, task_id: uuid.UUID, *, for_update=False
) -> Task:
    task = await uow.tasks.get(task_id, for_update=for_update)
    if task is None:
        raise NotFound("No such task.")
    # Seeing a task needs seeing its project (a client-role caller sees only its client's).
    try:
        await load_project(uow, principal, task.project_id)
    except NotFound:
        raise NotFound("No such task.") from None
    return task


async def get_task(command: commands.GetTask, uow: ProjectsUnitOfWork) -> Task:
    return await load_task(uow, uow.caller, command.id)


async def list_tasks(
    command: commands.ListTasks, uow: ProjectsUnitOfWork
) -> list[Task]:
    principal = uow.caller
    await load_project(uow, principal, command.project_id)
    return await uow.tasks.page(command.project_id, command.after, command.limit, **command.filters)


async def create_task(
    command: commands.CreateTask, uow: ProjectsUnitOfWork, *, members: MemberDirectory
) -> Task:
    principal = uow.caller
    await writable_project(uow, principal, command.project_id)
    values = task_rules.parse_task_fields({"title": "", **command.fields})
    requested_position = values.pop("position", None)
    task = Task(id=uuid.uuid4(), org_id=principal.org_id, project_id=command.project_id, title="",
                created_by=principal.user_id)
    for name, value in values.items():
        setattr(task, name, value)
    task.completed_at = task_rules.completed_at_after(None, task.status, None, _now())
    await _check_references(uow, principal, members, task, set(values))
    await uow.tasks.lock_board(command.project_id)
    await _check_issue_number(uow, task)  # again under the board lock: creates are serialized
    size = await uow.tasks.column_size(command.project_id, task.status)
    task.position = task_rules.landing_position(requested_position, size)
    await uow.tasks.make_room(command.project_id, task.status, task.position)
    task = await uow.tasks.add(task)
    await uow.outbox.add("task.created", events_pb2.TaskCreated(task=proto.task(task)),
                         project_id=command.project_id)
    return task


async def update_task(
    command: commands.UpdateTask, uow: ProjectsUnitOfWork, *, members: MemberDirectory
) -> Task:
    principal = uow.caller
    if not command.fields:
        raise InvalidArgument.on("update_mask", "name at least one field to update")
    values = task_rules.parse_task_fields(command.fields)
    task = await load_task(uow, principal, command.task_id)
    await writable_project(uow, principal, task.project_id)
    # The board lock first, then the row: the same order as every other position change.
    await uow.tasks.lock_board(task.project_id)
    task = await uow.tasks.get(command.task_id, for_update=True)
    require_match(task.etag, command.if_match, "task")
    changed = await _apply(uow, principal, members, task, values)
    if not changed:
        return task
    task = await uow.tasks.reload(task.id)
    await uow.outbox.add("task.updated",
                         events_pb2.TaskUpdated(task=proto.task(task), changed_fields=changed),
                         project_id=task.project_id)
    return task


async def bulk_update_tasks(
    command: commands.BulkUpdateTasks, uow: ProjectsUnitOfWork, *, members: MemberDirectory
) -> list[Task]:
    """The same changes to every listed task, in one transaction: any failure changes none."""
    principal = uow.caller
    if not command.task_ids:
        raise InvalidArgument.on("task_ids", "name at least one task")
    if len(command.task_ids) > MAX_BULK:
        raise InvalidArgument.on("task_ids", f"at most {MAX_BULK} tasks at once")
    if not command.fields:
        raise InvalidArgument.on("changes", "name at least one field to change")
    values = task_rules.parse_task_fields(command.fields, task_rules.BULK_FIELDS)
    await writable_project(uow, principal, command.project_id)
    await uow.tasks.lock_board(command.project_id)
    unique_ids = list(dict.fromkeys(command.task_ids))
    found = await uow.tasks.in_project(command.project_id, unique_ids)
    if len(found) != len(unique_ids):
        missing = sorted(str(i) for i in set(unique_ids) - {t.id for t in found})
        raise InvalidArgument.on("task_ids", f"not tasks of this project: {', '.join(missing)}")
    members = RememberingMemberDirectory(members)
    updated = []
    for task in found:
        changed = await _apply(uow, principal, members, task, dict(values))
        task = await uow.tasks.reload(task.id)
        if changed:
            await uow.outbox.add(
                "task.updated",
                events_pb2.TaskUpdated(task=proto.task(task), changed_fields=changed),
                project_id=command.project_id)
        updated.append(task)
    return [await uow.tasks.reload(task.id) for task in updated]


async def delete_task(
    command: commands.DeleteTask, uow: ProjectsUnitOfWork
) -> None:
    principal = uow.caller
    task = await load_task(uow, principal, command.id)
    await writable_project(uow, principal, task.project_id)
    await uow.tasks.lock_board(task.project_id)
    subtasks = await uow.tasks.subtask_ids(task.id)
    await uow.tasks.delete(task.id)
    await uow.tasks.renumber(task.project_id)
    for deleted in [*subtasks, task.id]:
        await uow.outbox.add(
            "task.deleted",
            events_pb2.TaskDeleted(task_id=str(deleted), project_id=str(task.project_id),
                                   title=task.title if deleted == task.id else ""),
            project_id=task.project_id)


async def _apply(uow, principal, members, task: Task, values: dict) -> list[str]:
    """Set `values` on `task` (locked, board locked), move it if its column or place changes,
    and save; answers the names of the fields that changed."""
    old_status, old_position = task.status, task.position
    requested_position = values.pop("position", None)
    changed = []
    for name, value in values.items():
        if getattr(task, name) != value:
            setattr(task, name, value)
            changed.append(name)
    await _check_references(uow, principal, members, task, set(changed))
    task.completed_at = task_rules.completed_at_after(old_status, task.status, task.completed_at,
                                                      _now())
    moved_column = task.status != old_status
    if moved_column or (requested_position is not None and requested_position != old_position):
        size = await uow.tasks.column_size(task.project_id, task.status, without=task.id)
        keep = None if moved_column else old_position
        target = task_rules.landing_position(
            requested_position if requested_position is not None else keep, size)
        await uow.tasks.save(task)
        await uow.tasks.place(task.project_id, task.status, task.id, target)
        if moved_column or target != old_position:
            changed.append("position")
        task.position = target
    if not changed:
        return []
    await uow.tasks.save(task)
    await uow.tasks.renumber(task.project_id)
    return sorted(set(changed))


async def _check_references(uow, principal, members: MemberDirectory, task: Task,
                            fields: set[str]) -> None:
    if "assignee_id" in fields and task.assignee_id is not None and \
            not await members.is_staff_member(task.assignee_id):
        raise InvalidArgument.on("assignee_id", "is not a member of this organization")
    if "sprint_id" in fields and task.sprint_id is not None:
        sprint = await uow.sprints.get(task.sprint_id)
        if sprint is None or sprint.project_id != task.project_id:
            raise InvalidArgument.on("sprint_id", "must be a sprint of the same project")
    if "parent_task_id" in fields and task.parent_task_id is not None:
        parent = await uow.tasks.get(task.parent_task_id)
        if parent is None:
            raise InvalidArgument.on("parent_task_id", "no such task in this project")
        task_rules.check_parent(task, parent, await uow.tasks.has_subtasks(task.id))
    if "github_issue_number" in fields:
        await _check_issue_number(uow, task)


async def _check_issue_number(uow, task: Task) -> None:
    """One task per GitHub issue in a project: a clash is ALREADY_EXISTS (409) naming the field
    (the partial unique index tasks_github_issue is the backstop of a race)."""
    if task.github_issue_number is None:
        return
    holder = await uow.tasks.by_github_issue(task.project_id, task.github_issue_number)
    if holder is not None and holder.id != task.id:
        raise AlreadyExists(
            f"github_issue_number: task {holder.id} of this project already mirrors GitHub "
            f"issue #{task.github_issue_number}",
            field_errors=[FieldError("github_issue_number", "already used in this project")])


def _now() -> datetime:
    return datetime.now(UTC)

