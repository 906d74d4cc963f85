"""Capacity's handlers against fakes: repositories in memory (the weeks computed by the domain's
own rule, domain/capacity.py), and a projects service that knows a few projects."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from labs_capacity.domain import capacity
from labs_capacity.domain.model import (
    Allocation,
    Holiday,
    Rates,
    Resource,
    ResourceFilters,
    ResourceWeek,
    TimeOff,
)
from labs_capacity.domain.weeks import week_starts
from labs_common.auth.roles import Role
from labs_common.errors import InvalidArgument
from labs_common.testing.fakes import FakeUnitOfWork, a_caller


def _now() -> datetime:
    return datetime.now(UTC)


class FakeResources:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Resource] = {}
        self.rates: dict[uuid.UUID, list[Rates]] = {}

    async def get(self, resource_id, on, *, lock=False):
        return self.rows.get(resource_id)

    async def list(self, on, after, limit, filters=None):
        filters = filters or ResourceFilters()
        ordered = sorted(self.rows.values(), key=lambda r: (r.name, r.id))
        return [r for r in ordered if (after is None or (r.name, r.id) > after)
                and filters.admit(r, on)][: limit + 1]

    async def lock(self, resource_ids=None):
        pass

    async def id_of_user(self, user_id):
        return next((r.id for r in self.rows.values() if r.user_id == user_id), None)

    async def user_taken(self, user_id, other_than=None):
        return any(r.user_id == user_id and r.id != other_than for r in self.rows.values())

    async def add(self, resource):
        resource.created_at = resource.updated_at = _now()
        self.rows[resource.id] = resource
        self.rates[resource.id] = [resource.rates]
        return resource

    async def save(self, resource):
        resource.updated_at = _now()
        self.rows[resource.id] = resource
        return resource

    async def set_rates(self, resource_id, rates):
        self.rates[resource_id].append(rates)

    async def rates_on(self, resource_id, on, *, or_earliest=False):
        periods = [p for p in self.rates.get(resource_id, []) if p.effective_from <= on]
        return periods[-1] if periods else None

    async def rate_history(self, resource_id):
        return list(self.rates.get(resource_id, []))


class FakeAllocations:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Allocation] = {}

    async def get(self, allocation_id, *, lock=False):
        found = self.rows.get(allocation_id)
        return replace(found) if found else None

    async def add(self, allocation):
        allocation.created_at = allocation.updated_at = _now()
        self.rows[allocation.id] = replace(allocation)
        return allocation

    async def save(self, allocation):
        allocation.updated_at = _now()
        self.rows[allocation.id] = replace(allocation)
        return allocation

    async def delete(self, allocation_id):
        self.rows.pop(allocation_id, None)

    async def of_resource(self, resource_id, start, end):
        return [a for a in self.rows.values() if a.resource_id == resource_id
                and a.start_date <= end and a.end_date >= start]

    async def date_span(self, resource_id):
        mine = [a for a in self.rows.values() if a.resource_id == resource_id]
        return (min(a.start_date for a in mine), max(a.end_date for a in mine)) if mine else None


class FakeTimeOff:
    def __init__(self) -> None:
        self.rows: list[TimeOff] = []

    async def add(self, entry):
        entry.created_at = _now()
        self.rows.append(entry)
        return entry

    async def list(self, resource_id, after, limit):
        return [t for t in self.rows if t.resource_id == resource_id][: limit + 1]


class FakeHolidays:
    def __init__(self) -> None:
        self.rows: dict[date, Holiday] = {}

    async def add(self, holiday):
        if holiday.date in self.rows:
            return None
        holiday.created_at = _now()
        self.rows[holiday.date] = holiday
        return holiday

    async def list(self, after, limit):
        return sorted(self.rows.values(), key=lambda h: h.date)[: limit + 1]


class FakeOverAllocations:
    def __init__(self) -> None:
        self.flags: set[tuple[uuid.UUID, date]] = set()

    async def flagged(self, resource_ids, first, last):
        return {k for k in self.flags if first <= k[1] <= last
                and (resource_ids is None or k[0] in resource_ids)}

    async def flag(self, resource_id, week, available, allocated):
        self.flags.add((resource_id, week))
        return True

    async def clear(self, keys):
        self.flags.difference_update(keys)


class FakeProjectStates:
    """Projects' status as capacity heard it: project id → (status, archived, as of)."""

    def __init__(self, allocations: FakeAllocations) -> None:
        self.rows: dict[uuid.UUID, tuple[str, bool, datetime]] = {}
        self._allocations = allocations

    async def record(self, project_id, status, archived, as_of):
        before = self.rows.get(project_id)
        if before is not None and before[2] > as_of:
            return False
        self.rows[project_id] = (status, archived, as_of)
        return (before[1] if before else False) != archived

    def archived_ids(self) -> set[uuid.UUID]:
        return {p for p, (_, archived, _) in self.rows.items() if archived}

    async def allocation_spans(self, project_id):
        spans: dict[uuid.UUID, tuple[date, date]] = {}
        for a in self._allocations.rows.values():
            if a.project_id == project_id:
                first, last = spans.get(a.resource_id, (a.start_date, a.end_date))
                spans[a.resource_id] = (min(first, a.start_date), max(last, a.end_date))
        return [(r, *spans[r]) for r in sorted(spans)]


class FakeWeeks:
    """The overview's rows as domain/capacity.py defines them (the SQL is held to the same)."""

    def __init__(self, uow: FakeCapacityUnitOfWork) -> None:
        self._uow = uow

    async def of(self, first_monday, weeks, only=None, departed=False):
        rows = []
        for monday in week_starts(first_monday, weeks):
            for resource in sorted(self._uow.resources.rows.values(), key=lambda r: r.name):
                if only is not None and resource.id not in only:
                    continue
                if not departed and not resource.active_on(first_monday):
                    continue
                archived = self._uow.project_states.archived_ids()
                mine = [a for a in self._uow.allocations.rows.values()
                        if a.resource_id == resource.id and a.project_id not in archived]
                confirmed, tentative = capacity.allocated_hours(
                    monday, resource.working_days, mine)
                available = capacity.available_hours(
                    monday, resource.capacity_hours_per_week, resource.working_days,
                    [t for t in self._uow.time_off.rows if t.resource_id == resource.id],
                    self._uow.holidays.rows.keys(), resource.end_date)
                rows.append(ResourceWeek(resource.id, resource.name, monday, available,
                                         confirmed, tentative))
        return rows


class FakeCapacityUnitOfWork(FakeUnitOfWork):
    def _start(self) -> None:
        self.resources = FakeResources()
        self.allocations = FakeAllocations()
        self.time_off = FakeTimeOff()
        self.holidays = FakeHolidays()
        self.over_allocations = FakeOverAllocations()
        self.project_states = FakeProjectStates(self.allocations)
        self.weeks = FakeWeeks(self)


class FakeProjectCheck:
    """The projects service, as allocations ask it: known projects pass, others are refused."""

    def __init__(self) -> None:
        self.known: set[uuid.UUID] = set()

    async def __call__(self, project_id: uuid.UUID) -> None:
        if project_id not in self.known:
            raise InvalidArgument.on("project_id", "no such project in this organization")


@pytest.fixture
def manager_uow() -> FakeCapacityUnitOfWork:
    return FakeCapacityUnitOfWork(caller=a_caller(Role.MANAGER))


@pytest.fixture
def projects() -> FakeProjectCheck:
    return FakeProjectCheck()


@pytest.fixture
def next_monday() -> date:
    today = datetime.now(UTC).date()
    return today + timedelta(days=7 - today.weekday())
