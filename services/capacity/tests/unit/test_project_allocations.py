"""A project's team (ListProjectAllocations): every allocation to it with its resource's name,
by start date then name; staff read it, the client role is refused as everywhere in capacity."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from labs_capacity.domain import commands
from labs_capacity.domain.model import ProjectAllocation
from labs_capacity.service_layer import allocations, resources
from labs_common.auth.roles import Role
from labs_common.errors import PermissionDenied
from labs_common.testing.fakes import a_caller

from .conftest import FakeAllocations, FakeCapacityUnitOfWork


class FakeTeamAllocations(FakeAllocations):
    """Allocations that also answer by project, with names from the resources beside them."""

    def __init__(self, known_resources) -> None:
        super().__init__()
        self._resources = known_resources

    async def of_projects(self, project_ids):
        names = {r.id: r.name for r in self._resources.rows.values()}
        mine = [ProjectAllocation(a, names[a.resource_id])
                for a in self.rows.values() if a.project_id in project_ids]
        return sorted(mine, key=lambda p: (p.allocation.start_date, p.resource_name,
                                           p.allocation.id))


def _uow(role: Role, **claims) -> FakeCapacityUnitOfWork:
    uow = FakeCapacityUnitOfWork(caller=a_caller(role, **claims))
    uow.allocations = FakeTeamAllocations(uow.resources)
    return uow


async def _person(uow, name: str) -> uuid.UUID:
    given = commands.ResourceFields(name=name, seniority_level="mid", billing_rate="150",
                                    cost_rate="60", currency="USD")
    return (await resources.create_resource(commands.CreateResource(given), uow)).id


async def _allocate(uow, projects, resource_id, project_id, start, *, tentative=False):
    fields = commands.AllocationFields(
        resource_id=resource_id, project_id=project_id, allocated_hours="20",
        start_date=start.isoformat(), end_date=(start + timedelta(days=27)).isoformat(),
        tentative=tentative)
    return await allocations.create_allocation(commands.CreateAllocation(fields), uow, projects)


async def test_a_projects_team_is_its_allocations_with_names_in_order(projects, next_monday):
    uow = _uow(Role.MANAGER)
    site, other = uuid.uuid4(), uuid.uuid4()
    projects.known |= {site, other}
    ada, bo = await _person(uow, "Ada"), await _person(uow, "Bo")
    later = await _allocate(uow, projects, ada, site, next_monday + timedelta(weeks=4),
                            tentative=True)
    bo_first = await _allocate(uow, projects, bo, site, next_monday)
    ada_first = await _allocate(uow, projects, ada, site, next_monday)
    await _allocate(uow, projects, bo, other, next_monday)

    team = await allocations.list_for_project(commands.ListProjectAllocations((site,)), uow)
    assert [(t.allocation.id, t.resource_name, t.allocation.tentative) for t in team] == [
        (ada_first.id, "Ada", False), (bo_first.id, "Bo", False), (later.id, "Ada", True)]
    assert await allocations.list_for_project(
        commands.ListProjectAllocations((uuid.uuid4(),)), uow) == []


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
async def test_staff_below_manager_read_a_projects_team(role):
    uow = _uow(role)
    assert await allocations.list_for_project(
        commands.ListProjectAllocations((uuid.uuid4(),)), uow) == []


async def test_the_client_role_sees_no_team():
    uow = _uow(Role.CLIENT, client_id=uuid.uuid4())
    with pytest.raises(PermissionDenied):
        await allocations.list_for_project(commands.ListProjectAllocations((uuid.uuid4(),)), uow)


async def test_the_teams_of_several_projects_come_in_one_answer(projects, next_monday):
    uow = _uow(Role.MEMBER)
    site, app, idle = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    projects.known |= {site, app, idle}
    manager = _uow(Role.MANAGER)
    manager.resources, manager.allocations = uow.resources, uow.allocations
    ada = await _person(manager, "Ada")
    on_site = await _allocate(manager, projects, ada, site, next_monday)
    on_app = await _allocate(manager, projects, ada, app, next_monday)
    team = await allocations.list_for_project(
        commands.ListProjectAllocations((site, app, idle)), uow)
    assert {(t.allocation.id, t.allocation.project_id) for t in team} == {
        (on_site.id, site), (on_app.id, app)}
