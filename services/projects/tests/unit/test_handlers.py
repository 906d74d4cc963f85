"""The projects service's handlers with a fake unit of work and a fake identity: no I/O."""

from __future__ import annotations

import uuid

import pytest

from labs_common.auth.roles import Role
from labs_common.errors import AlreadyExists, InvalidArgument, NotFound, PreconditionFailed
from labs_common.testing.fakes import a_caller
from labs_projects.domain import commands
from labs_projects.domain.model import ProjectStatus
from labs_projects.service_layer import clients, projects

from .conftest import FakeProjectsUnitOfWork


async def test_a_client_is_created_once_per_name_and_announced(manager_uow):
    created = await clients.create_client(commands.CreateClient("Acme", "", "EUR"), manager_uow)
    assert created.currency == "EUR" and manager_uow.outbox.types() == ["client.created"]
    with pytest.raises(AlreadyExists) as taken:
        await clients.create_client(commands.CreateClient("acme", "", "USD"), manager_uow)
    assert taken.value.reason == "CLIENT_NAME_TAKEN"


async def test_a_client_role_caller_is_told_clients_do_not_exist():
    uow = FakeProjectsUnitOfWork(caller=a_caller(Role.CLIENT, client_id=uuid.uuid4()))
    with pytest.raises(NotFound):
        await clients.create_client(commands.CreateClient("Acme", "", "USD"), uow)


async def test_an_update_with_a_stale_etag_changes_nothing(manager_uow):
    created = await clients.create_client(commands.CreateClient("Acme", "", "USD"), manager_uow)
    stale = commands.UpdateClient(created.id, {"name": "Acme Corp"}, ['"not-the-etag"'])
    with pytest.raises(PreconditionFailed):
        await clients.update_client(stale, manager_uow)
    assert manager_uow.clients.rows[created.id].name == "Acme"


async def test_a_project_for_a_new_client_name_creates_the_client(manager_uow, members):
    command = commands.CreateProject({"name": "Website"}, client_name="Globex")
    project = await projects.create_project(command, manager_uow, members=members)
    assert project.status is ProjectStatus.PLANNING
    assert manager_uow.outbox.types() == ["client.created", "project.created"]
    assert manager_uow.outbox.events[-1].project_id == str(project.id)


async def test_a_project_manager_must_be_staff(manager_uow, members):
    outsider = uuid.uuid4()
    command = commands.CreateProject({"name": "Website", "project_manager_id": str(outsider)},
                                     client_name="")
    with pytest.raises(InvalidArgument) as refused:
        await projects.create_project(command, manager_uow, members=members)
    assert refused.value.field_errors[0].field == "project_manager_id"
    members.staff.add(outsider)
    assert (await projects.create_project(command, manager_uow, members=members)).name


async def test_a_project_and_its_events_carry_its_clients_name(manager_uow, members):
    project = await projects.create_project(
        commands.CreateProject({"name": "Website"}, client_name="Globex"), manager_uow,
        members=members)
    assert project.client_name == "Globex"
    [created] = manager_uow.outbox.of_type("project.created")
    assert created.project.client_name == "Globex"
    internal = await projects.create_project(
        commands.CreateProject({"name": "Internal"}, client_name=""), manager_uow,
        members=members)
    assert internal.client_name is None
    assert manager_uow.outbox.of_type("project.created")[-1].project.client_name == ""


async def test_a_project_moved_to_another_client_announces_that_clients_name(
    manager_uow, members
):
    project = await projects.create_project(
        commands.CreateProject({"name": "Website"}, client_name="Globex"), manager_uow,
        members=members)
    other = await clients.create_client(commands.CreateClient("Initech", "", "USD"), manager_uow)
    moved = await projects.update_project(
        commands.UpdateProject(project.id, {"client_id": str(other.id), "status": "active"}, []),
        manager_uow, members=members)
    assert moved.client_name == "Initech"
    for event_type in ("project.updated", "project.status_changed"):
        assert manager_uow.outbox.of_type(event_type)[-1].project.client_name == "Initech"


async def test_a_renamed_client_shows_under_its_new_name_on_the_next_read(manager_uow, members):
    project = await projects.create_project(
        commands.CreateProject({"name": "Website"}, client_name="Globex"), manager_uow,
        members=members)
    await clients.update_client(
        commands.UpdateClient(project.client_id, {"name": "Globex Corp"}, []), manager_uow)
    read = await projects.get_project(commands.GetProject(project.id), manager_uow)
    assert read.client_name == "Globex Corp"
