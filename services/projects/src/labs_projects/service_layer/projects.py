"""Projects: create, read, list, update (with the status workflow), archive, and the lookups
other services make (get with budget and rates, resolve by name for imports)."""

from __future__ import annotations

import uuid

from labs.projects.v1 import events_pb2
from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import FieldError, InvalidArgument, NotFound
from labs_common.etag import require_match
from labs_projects.adapters import proto
from labs_projects.domain import commands, rules
from labs_projects.domain.model import BudgetType, Client, Project, ProjectStatus
from labs_projects.service_layer.access import is_client, require_writer, sees_project
from labs_projects.service_layer.clients import add_client
from labs_projects.service_layer.members import MemberDirectory
from labs_projects.service_layer.unit_of_work import ProjectsUnitOfWork


async def load_project(
    uow: ProjectsUnitOfWork, principal: Principal, project_id: uuid.UUID, *, for_update=False
) -> Project:
    project = await uow.projects.get(project_id, for_update=for_update)
    if project is None or not sees_project(principal, project):
        raise NotFound("No such project.")
    return project


async def get_project(command: commands.GetProject, uow: ProjectsUnitOfWork) -> Project:
    return await load_project(uow, uow.caller, command.id)


async def create_project(
    command: commands.CreateProject, uow: ProjectsUnitOfWork, *, members: MemberDirectory
) -> Project:
    principal = uow.caller
    require_writer(principal, Role.MANAGER, "project")
    project = Project(id=uuid.uuid4(), org_id=principal.org_id, name="")
    status = rules.parse_status(command.fields["status"]) if command.fields.get("status") else None
    given = {k: v for k, v in command.fields.items() if v != "" and k != "status"}
    given.setdefault("name", "")
    rules.apply_project_fields(project, given)
    client = await _client_for(uow, principal, project, command.client_name)
    if "budget_currency" not in given and client is not None:
        project.budget_currency = client.currency
    project.status = status or ProjectStatus.PLANNING
    rules.check_project(project)
    await _check_manager(members, project)
    project = await uow.projects.add(project)
    await uow.outbox.add(
        "project.created",
        events_pb2.ProjectCreated(project=proto.project(project)),
        project_id=project.id,
    )
    return project


async def resolve_project(
    command: commands.ResolveProject, uow: ProjectsUnitOfWork
) -> tuple[Project, bool]:
    principal = uow.caller
    name = command.name
    name = rules.check_name(name)
    if is_client(principal):
        raise NotFound("No such project.")
    if command.create_missing:
        # Two imports naming the same new project at once must create it once.
        await uow.projects.lock_name(name)
    found = await uow.projects.by_name(name)
    if found is not None:
        return found, False
    if not command.create_missing:
        raise NotFound(f"No project named {name}.", reason="PROJECT_NOT_FOUND")
    principal.require(Role.MANAGER)
    project = Project(
        id=uuid.uuid4(),
        org_id=principal.org_id,
        name=name,
        status=ProjectStatus.ACTIVE,
        budget_type=BudgetType.TIME_AND_MATERIALS,
    )
    project = await uow.projects.add(project)
    await uow.outbox.add(
        "project.created",
        events_pb2.ProjectCreated(project=proto.project(project)),
        project_id=project.id,
    )
    return project, True


async def list_projects(
    command: commands.ListProjects, uow: ProjectsUnitOfWork
) -> list[Project]:
    principal = uow.caller
    client_id = command.client_id
    q = command.q
    q = rules.check_storable(q, "q")
    if is_client(principal):
        if principal.client_id is None or client_id not in (None, principal.client_id):
            return []
        client_id = principal.client_id
    return await uow.projects.page(
        command.after, command.limit, status=command.status, client_id=client_id, q=q.strip()
    )


async def update_project(
    command: commands.UpdateProject, uow: ProjectsUnitOfWork, *, members: MemberDirectory
) -> Project:
    principal = uow.caller
    require_writer(principal, Role.MANAGER, "project")
    if not command.fields:
        raise InvalidArgument.on("update_mask", "name at least one field to update")
    project = await load_project(uow, principal, command.project_id, for_update=True)
    require_match(project.etag, command.if_match, "project")
    old_status = project.status
    changed = rules.apply_project_fields(project, {k: v for k, v in command.fields.items()})
    if "status" in command.fields:
        new_status = rules.parse_status(command.fields["status"])
        rules.check_transition(old_status, new_status)
        if new_status != old_status:
            project.status = new_status
            changed.append("status")
    if not changed:
        return project
    rules.check_project(project)
    if "client_id" in changed:
        await _client_for(uow, principal, project, "")
    if "project_manager_id" in changed:
        await _check_manager(members, project)
    return await _save(uow, project, sorted(changed), old_status)


async def archive_project(
    command: commands.ArchiveProject, uow: ProjectsUnitOfWork
) -> None:
    principal = uow.caller
    require_writer(principal, Role.MANAGER, "project")
    project = await load_project(uow, principal, command.id, for_update=True)
    if project.status is ProjectStatus.ARCHIVED:
        return
    old_status = project.status
    project.status = ProjectStatus.ARCHIVED
    await _save(uow, project, ["status"], old_status)


async def _save(
    uow: ProjectsUnitOfWork, project: Project, changed: list[str], old_status: ProjectStatus
) -> Project:
    project = await uow.projects.save(project)
    message = proto.project(project)
    await uow.outbox.add(
        "project.updated",
        events_pb2.ProjectUpdated(project=message, changed_fields=changed),
        project_id=project.id,
    )
    if project.status != old_status:
        await uow.outbox.add(
            "project.status_changed",
            events_pb2.ProjectStatusChanged(
                project=message,
                old_status=proto.PROJECT_STATUS.to_proto(old_status),
                new_status=proto.PROJECT_STATUS.to_proto(project.status),
            ),
            project_id=project.id,
        )
        if project.status is ProjectStatus.ARCHIVED:
            await uow.outbox.add(
                "project.archived",
                events_pb2.ProjectArchived(project=message),
                project_id=project.id,
            )
    return project


async def _client_for(
    uow: ProjectsUnitOfWork, principal: Principal, project: Project, client_name: str
) -> Client | None:
    """The project's client: by id (must exist in the org, not archived) or by name (found or
    created, so `client_name` on create works for a first project of a new customer)."""
    if project.client_id is not None:
        client = await uow.clients.get(project.client_id)
        if client is None or client.archived_at is not None:
            raise InvalidArgument(
                "client_id: no such client",
                field_errors=[FieldError("client_id", "no such client in this organization")],
            )
        return client
    if not client_name.strip():
        return None
    name = rules.check_name(client_name, "client_name")
    await uow.clients.lock_name(name)
    client = await uow.clients.by_name(name)
    if client is None:
        client = await add_client(
            uow, Client(id=uuid.uuid4(), org_id=principal.org_id, name=name)
        )
    project.client_id = client.id
    return client


async def _check_manager(members: MemberDirectory, project: Project) -> None:
    if project.project_manager_id is not None and not await members.is_staff_member(
        project.project_manager_id
    ):
        raise InvalidArgument.on("project_manager_id", "is not a member of this organization")
