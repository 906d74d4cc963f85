"""Recording time for a resource (seed 003's `resource_id`): managers may log for any resource of
the org, including one without a login, and the entry carries that resource and its rates; a
member only for themself. One 422 names every wrong field. A fake directory and unit of work."""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal

import pytest

from labs_common.auth.roles import Role
from labs_common.errors import InvalidArgument, NotFound, PermissionDenied
from labs_common.testing.fakes import FakeUnitOfWork, a_caller
from labs_time.adapters.directory import Organization, PersonRates, Project, Resource
from labs_time.domain.commands import NewEntry
from labs_time.domain.model import Rates
from labs_time.service_layer import entries

ORG = uuid.uuid4()
MANAGER, MEMBER = uuid.uuid4(), uuid.uuid4()
PROJECT = Project(uuid.uuid4(), "Website", False, None, "USD")
ARCHIVED = Project(uuid.uuid4(), "Old", True, None, "USD")
CONTRACTOR = Resource(uuid.uuid4(), "Dana", "dana@contractors.test", None)
MEMBERS_RESOURCE = Resource(uuid.uuid4(), "Pat", "pat@agency.test", MEMBER)
CONTRACTOR_RATES = Rates(Decimal("150.50"), None, "USD", "resource")


class FakeDirectory:
    def __init__(self) -> None:
        self.asked: list[str] = []

    async def project(self, token, project_id):
        self.asked.append("GetProject")
        return {p.id: p for p in (PROJECT, ARCHIVED)}[project_id]

    async def organization(self, token):
        self.asked.append("GetOrganization")
        return Organization("UTC", "USD")

    async def member(self, token, user_id):
        self.asked.append("GetMember")
        raise NotFound("No such member.")

    async def resource(self, token, resource_id):
        self.asked.append("GetResource")
        found = {r.id: r for r in (CONTRACTOR, MEMBERS_RESOURCE)}
        if resource_id not in found:
            raise NotFound("No such resource.")
        return found[resource_id]

    async def resource_rates(self, token, resource_id, on):
        self.asked.append("GetRates(resource)")
        return PersonRates(resource_id, CONTRACTOR_RATES)

    async def person_rates(self, token, user_id, on):
        self.asked.append("GetRates(user)")
        return PersonRates(MEMBERS_RESOURCE.id, Rates(Decimal("90"), Decimal("50"), "USD",
                                                      "resource"))


class FakeEntries:
    def __init__(self) -> None:
        self.rows = []

    async def add(self, entry):
        self.rows.append(replace(entry))
        return entry


class FakeTimeUnitOfWork(FakeUnitOfWork):
    def _start(self) -> None:
        self.entries = FakeEntries()


def _new(**given) -> NewEntry:
    values = {"project_id": PROJECT.id, "user_id": None, "task_id": None,
              "date_worked": "2026-01-05", "hours": "7.5", "started_at": None,
              "ended_at": None, "billable": True, "notes": "", **given}
    return NewEntry(**values)


async def _record(new: NewEntry, role: Role = Role.MANAGER, user_id=MANAGER):
    directory = FakeDirectory()
    caller = a_caller(role, org_id=ORG, user_id=user_id)
    asked = await entries.ask_for_entry(directory, caller, new)
    uow = FakeTimeUnitOfWork(caller=caller)
    entry = await entries.record_entry(new, uow, asked=asked)
    return entry, uow, directory


async def test_a_manager_logs_time_for_a_contractor_without_a_login_at_the_contractors_rates():
    entry, uow, directory = await _record(_new(resource_id=CONTRACTOR.id))
    assert entry.resource_id == CONTRACTOR.id and entry.user_id is None
    assert entry.rates == CONTRACTOR_RATES  # no cost rate: its hours count as uncosted
    assert "GetRates(resource)" in directory.asked and "GetRates(user)" not in directory.asked
    assert [e.resource_id for e in uow.entries.rows] == [CONTRACTOR.id]
    assert uow.outbox.types() == ["entry.created"]


async def test_a_resource_linked_to_a_member_books_to_that_member():
    entry, _, _ = await _record(_new(resource_id=MEMBERS_RESOURCE.id))
    assert (entry.user_id, entry.resource_id) == (MEMBER, MEMBERS_RESOURCE.id)


async def test_a_member_may_name_their_own_resource_but_not_someone_elses():
    entry, _, _ = await _record(_new(resource_id=MEMBERS_RESOURCE.id), Role.MEMBER, MEMBER)
    assert entry.user_id == MEMBER
    with pytest.raises(PermissionDenied):
        await _record(_new(resource_id=CONTRACTOR.id), Role.MEMBER, MEMBER)
    with pytest.raises(PermissionDenied):
        await _record(_new(user_id=MANAGER), Role.MEMBER, MEMBER)


async def test_a_resource_of_no_one_here_or_of_another_user_is_a_422_naming_resource_id():
    with pytest.raises(InvalidArgument) as unknown:
        await _record(_new(resource_id=uuid.uuid4()))
    assert [e.field for e in unknown.value.field_errors] == ["resource_id"]
    with pytest.raises(InvalidArgument) as mismatch:
        await _record(_new(resource_id=MEMBERS_RESOURCE.id, user_id=MANAGER))
    assert [e.field for e in mismatch.value.field_errors] == ["resource_id"]


async def test_the_entrys_own_problems_are_all_named_and_nobody_is_asked():
    directory = FakeDirectory()
    new = _new(hours="30", date_worked="yesterday", notes="x" * 10_001)
    caller = a_caller(Role.MANAGER, org_id=ORG, user_id=MANAGER)
    asked = await entries.ask_for_entry(directory, caller, new)
    with pytest.raises(InvalidArgument) as problems:
        await entries.record_entry(new, FakeTimeUnitOfWork(caller=caller), asked=asked)
    assert {e.field for e in problems.value.field_errors} == {"hours", "date_worked", "notes"}
    assert directory.asked == []


async def test_what_the_other_services_answer_is_named_all_at_once():
    with pytest.raises(InvalidArgument) as problems:
        await _record(_new(project_id=ARCHIVED.id, resource_id=uuid.uuid4(),
                           date_worked="1980-01-01"))
    assert {e.field for e in problems.value.field_errors} == {
        "project_id", "resource_id", "date_worked"}
