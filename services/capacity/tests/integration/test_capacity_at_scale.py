"""500 people over 52 weeks: the set-based overview gives, for every resource-week, exactly what
the domain rule (domain/capacity.py) computes one week at a time. Timed only for the log."""

from __future__ import annotations

import random
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from capacity_helpers import bearer, signup

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs_capacity.domain import capacity as rule
from labs_capacity.domain.model import Allocation, Holiday, Rates, Resource, Seniority, TimeOff
from labs_capacity.domain.weeks import week_starts
from labs_common.db.uow import Scope

pytestmark = pytest.mark.integration

PEOPLE = 500
WEEKS = 52
FIRST = date(2027, 1, 4)


def seed(org_id: uuid.UUID, rng: random.Random):
    """People with varied weeks, each with allocations and time off here and there."""
    people, allocations, time_off = [], [], []
    for n in range(PEOPLE):
        days = tuple(sorted(rng.sample(range(1, 8), rng.choice([3, 4, 5, 5, 5]))))
        person = Resource(
            id=uuid.uuid4(), org_id=org_id, name=f"Person {n:03}", seniority_level=Seniority.MID,
            rates=Rates(Decimal("100"), Decimal("40"), "USD"),
            capacity_hours_per_week=Decimal(rng.choice([40, 32, 20, 37.5])), working_days=days,
        )
        people.append(person)
        for _ in range(rng.randint(1, 3)):
            start = FIRST + timedelta(days=rng.randint(-10, 330))
            allocations.append(Allocation(
                id=uuid.uuid4(), org_id=org_id, resource_id=person.id, project_id=uuid.uuid4(),
                allocated_hours=Decimal(rng.choice(["8", "12.5", "20", "30"])), start_date=start,
                end_date=start + timedelta(days=rng.randint(0, 90)),
                tentative=rng.random() < 0.25,
            ))
        if rng.random() < 0.5:
            start = FIRST + timedelta(days=rng.randint(0, 350))
            time_off.append(TimeOff(
                id=uuid.uuid4(), org_id=org_id, resource_id=person.id, start_date=start,
                end_date=start + timedelta(days=rng.randint(0, 10)),
                hours_per_day=rng.choice([None, Decimal("4")]),
            ))
    holidays = [Holiday(date(2027, 5, 27), "Holiday", id=uuid.uuid4(), org_id=org_id),
                Holiday(date(2027, 12, 24), "Holiday", id=uuid.uuid4(), org_id=org_id)]
    return people, allocations, time_off, holidays


async def test_500_people_over_52_weeks_match_the_rule(stub, identity_stub, capacity):
    owner = await signup(identity_stub)
    org_id = uuid.UUID(owner.organization.id)
    people, allocations, time_off, holidays = seed(org_id, random.Random(5))
    # Seeding through the service's own repositories in one transaction keeps this test quick.
    async with capacity.runtime.uow(Scope(org_id=org_id)) as uow:
        for person in people:
            await uow.resources.add(person)
        for allocation in allocations:
            await uow.allocations.add(allocation)
        for entry in time_off:
            await uow.time_off.add(entry)
        for holiday in holidays:
            await uow.holidays.add(holiday)
        await uow.commit()

    started = time.perf_counter()
    found = await stub.GetCapacityOverview(
        pb.GetCapacityOverviewRequest(start_week=FIRST.isoformat(), weeks=WEEKS),
        metadata=bearer(owner.access_token),
        timeout=60,
    )
    print(f"overview of {PEOPLE} people x {WEEKS} weeks: {time.perf_counter() - started:.2f}s")

    by_id = {str(p.id): p for p in people}
    holiday_days = [h.date for h in holidays]
    assert [w.week_start for w in found.weeks] == [
        m.isoformat() for m in week_starts(FIRST, WEEKS)
    ]
    for week in found.weeks:
        monday = date.fromisoformat(week.week_start)
        assert len(week.by_resource) == PEOPLE
        total_available = total_allocated = Decimal(0)
        for line in week.by_resource:
            person = by_id[line.resource_id]
            mine = [a for a in allocations if a.resource_id == person.id]
            available = rule.available_hours(
                monday, person.capacity_hours_per_week, person.working_days,
                [t for t in time_off if t.resource_id == person.id], holiday_days,
            )
            confirmed, tentative = rule.allocated_hours(monday, person.working_days, mine)
            assert (Decimal(line.available_hours), Decimal(line.allocated_hours),
                    Decimal(line.tentative_hours)) == (available, confirmed, tentative), (
                person.name, week.week_start)
            total_available += available
            total_allocated += confirmed
        assert Decimal(week.total_available_hours) == total_available
        assert Decimal(week.total_allocated_hours) == total_allocated
