"""Reading and writing capacity's aggregates in the unit of work's transaction.

Every query filters by the scope's org; row-level security stands behind it.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import delete, func, insert, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from labs_capacity.adapters.orm import (
    allocations,
    holidays,
    resource_rates,
    resources,
    time_off,
)
from labs_capacity.domain.model import (
    Allocation,
    Holiday,
    Rates,
    Resource,
    Seniority,
    TimeOff,
)

# The rates in effect on :on: the period starting last on or before that day.
_RATES_ON = text("""
    SELECT effective_from, billing_rate, cost_rate, currency FROM resource_rates
    WHERE resource_id = :resource AND effective_from <= :on
    ORDER BY effective_from DESC LIMIT 1
""")
# The same, else (when every period starts later) the earliest ones: what a resource "has" today.
_RATES_ON_OR_EARLIEST = text("""
    SELECT effective_from, billing_rate, cost_rate, currency FROM resource_rates
    WHERE resource_id = :resource
    ORDER BY CASE WHEN effective_from <= :on THEN effective_from END DESC NULLS LAST,
             effective_from
    LIMIT 1
""")


def _resource(row, rates: Rates) -> Resource:
    return Resource(
        id=row.id,
        org_id=row.org_id,
        name=row.name,
        email=row.email,
        user_id=row.user_id,
        seniority_level=Seniority(row.seniority_level),
        rates=rates,
        capacity_hours_per_week=row.capacity_hours_per_week,
        working_days=tuple(row.working_days),
        skills=tuple(row.skills),
        is_placeholder=row.is_placeholder,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlAlchemyResourceRepository:
    def __init__(self, session: AsyncSession, org_id: uuid.UUID | None) -> None:
        self._session = session
        self._org_id = org_id

    async def _with_rates(self, rows, on: date) -> list[Resource]:
        found = []
        for row in rows:
            rates = await self.rates_on(row.id, on, or_earliest=True)
            found.append(_resource(row, rates))
        return found

    async def get(self, resource_id: uuid.UUID, on: date, *, lock: bool = False):
        query = select(resources).where(
            resources.c.org_id == self._org_id, resources.c.id == resource_id
        )
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        if row is None:
            return None
        return (await self._with_rates([row], on))[0]

    async def list(self, on: date, after: tuple[str, uuid.UUID] | None, limit: int):
        query = select(resources).where(resources.c.org_id == self._org_id)
        if after:
            query = query.where(tuple_(resources.c.name, resources.c.id) > after)
        query = query.order_by(resources.c.name, resources.c.id).limit(limit + 1)
        rows = (await self._session.execute(query)).all()
        return await self._with_rates(rows, on)

    async def lock(self, resource_ids: list[uuid.UUID] | None = None) -> None:
        """Row-locks the given resources (None: all of the org's) in id order, so changes to one
        person's allocations are judged one after another and never deadlock each other."""
        query = select(resources.c.id).where(resources.c.org_id == self._org_id)
        if resource_ids is not None:
            query = query.where(resources.c.id.in_(resource_ids))
        # NO KEY UPDATE: it does not wait for the key-share locks that inserting an allocation
        # (a foreign key to the resource) takes, so two such inserts queue instead of deadlocking.
        await self._session.execute(
            query.order_by(resources.c.id).with_for_update(key_share=True)
        )

    async def id_of_user(self, user_id: uuid.UUID) -> uuid.UUID | None:
        return (
            await self._session.execute(
                select(resources.c.id).where(
                    resources.c.org_id == self._org_id, resources.c.user_id == user_id
                )
            )
        ).scalar()

    async def user_taken(self, user_id: uuid.UUID, other_than: uuid.UUID | None = None) -> bool:
        query = select(resources.c.id).where(
            resources.c.org_id == self._org_id, resources.c.user_id == user_id
        )
        if other_than:
            query = query.where(resources.c.id != other_than)
        return (await self._session.execute(query)).first() is not None

    async def add(self, resource: Resource) -> Resource:
        row = (
            await self._session.execute(
                insert(resources)
                .values(
                    id=resource.id,
                    org_id=resource.org_id,
                    name=resource.name,
                    email=resource.email,
                    user_id=resource.user_id,
                    seniority_level=resource.seniority_level.value,
                    capacity_hours_per_week=resource.capacity_hours_per_week,
                    working_days=list(resource.working_days),
                    skills=list(resource.skills),
                    is_placeholder=resource.is_placeholder,
                    created_at=func.now(),
                    updated_at=func.now(),
                )
                .returning(resources.c.created_at, resources.c.updated_at)
            )
        ).one()
        resource.created_at, resource.updated_at = row.created_at, row.updated_at
        await self.set_rates(resource.id, resource.rates)
        return resource

    async def save(self, resource: Resource) -> Resource:
        """Writes the resource's own fields (rates are written by set_rates)."""
        resource.updated_at = (
            await self._session.execute(
                update(resources)
                .where(resources.c.org_id == self._org_id, resources.c.id == resource.id)
                .values(
                    name=resource.name,
                    email=resource.email,
                    user_id=resource.user_id,
                    seniority_level=resource.seniority_level.value,
                    capacity_hours_per_week=resource.capacity_hours_per_week,
                    working_days=list(resource.working_days),
                    skills=list(resource.skills),
                    is_placeholder=resource.is_placeholder,
                    # clock_timestamp: two updates in one second still get different etags.
                    updated_at=func.clock_timestamp(),
                )
                .returning(resources.c.updated_at)
            )
        ).scalar_one()
        return resource

    async def set_rates(self, resource_id: uuid.UUID, rates: Rates) -> None:
        """Rates from rates.effective_from on; a period starting that same day is replaced."""
        statement = pg_insert(resource_rates).values(
            org_id=self._org_id,
            resource_id=resource_id,
            effective_from=rates.effective_from,
            billing_rate=rates.billing_rate,
            cost_rate=rates.cost_rate,
            currency=rates.currency,
            created_at=func.now(),
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["resource_id", "effective_from"],
                set_={
                    "billing_rate": statement.excluded.billing_rate,
                    "cost_rate": statement.excluded.cost_rate,
                    "currency": statement.excluded.currency,
                },
            )
        )

    async def rates_on(
        self, resource_id: uuid.UUID, on: date, *, or_earliest: bool = False
    ) -> Rates | None:
        query = _RATES_ON_OR_EARLIEST if or_earliest else _RATES_ON
        row = (await self._session.execute(query, {"resource": resource_id, "on": on})).first()
        if row is None:
            return None
        return Rates(row.billing_rate, row.cost_rate, row.currency.strip(), row.effective_from)

    async def rate_history(self, resource_id: uuid.UUID) -> list[Rates]:
        rows = (
            await self._session.execute(
                select(resource_rates)
                .where(
                    resource_rates.c.org_id == self._org_id,
                    resource_rates.c.resource_id == resource_id,
                )
                .order_by(resource_rates.c.effective_from)
            )
        ).all()
        periods = []
        for index, row in enumerate(rows):
            following = rows[index + 1].effective_from if index + 1 < len(rows) else None
            periods.append(
                Rates(
                    row.billing_rate,
                    row.cost_rate,
                    row.currency.strip(),
                    row.effective_from,
                    date.fromordinal(following.toordinal() - 1) if following else None,
                )
            )
        return periods


def _time_off(row) -> TimeOff:
    return TimeOff(
        id=row.id,
        org_id=row.org_id,
        resource_id=row.resource_id,
        start_date=row.start_date,
        end_date=row.end_date,
        hours_per_day=row.hours_per_day,
        reason=row.reason,
        created_at=row.created_at,
    )


class SqlAlchemyTimeOffRepository:
    def __init__(self, session: AsyncSession, org_id: uuid.UUID | None) -> None:
        self._session = session
        self._org_id = org_id

    async def add(self, entry: TimeOff) -> TimeOff:
        entry.created_at = (
            await self._session.execute(
                insert(time_off)
                .values(
                    id=entry.id,
                    org_id=entry.org_id,
                    resource_id=entry.resource_id,
                    start_date=entry.start_date,
                    end_date=entry.end_date,
                    hours_per_day=entry.hours_per_day,
                    reason=entry.reason,
                    created_at=func.now(),
                )
                .returning(time_off.c.created_at)
            )
        ).scalar_one()
        return entry

    async def list(
        self, resource_id: uuid.UUID, after: tuple[date, uuid.UUID] | None, limit: int
    ) -> list[TimeOff]:
        query = select(time_off).where(
            time_off.c.org_id == self._org_id, time_off.c.resource_id == resource_id
        )
        if after:
            query = query.where(tuple_(time_off.c.start_date, time_off.c.id) > after)
        query = query.order_by(time_off.c.start_date, time_off.c.id).limit(limit + 1)
        return [_time_off(row) for row in (await self._session.execute(query)).all()]


class SqlAlchemyHolidayRepository:
    def __init__(self, session: AsyncSession, org_id: uuid.UUID | None) -> None:
        self._session = session
        self._org_id = org_id

    async def add(self, holiday: Holiday) -> Holiday | None:
        """None when the org already has a holiday that day."""
        row = (
            await self._session.execute(
                pg_insert(holidays)
                .values(
                    id=holiday.id,
                    org_id=holiday.org_id,
                    date=holiday.date,
                    name=holiday.name,
                    created_at=func.now(),
                )
                .on_conflict_do_nothing()
                .returning(holidays.c.created_at)
            )
        ).first()
        if row is None:
            return None
        holiday.created_at = row.created_at
        return holiday

    async def list(self, after: tuple[date, uuid.UUID] | None, limit: int) -> list[Holiday]:
        query = select(holidays).where(holidays.c.org_id == self._org_id)
        if after:
            query = query.where(tuple_(holidays.c.date, holidays.c.id) > after)
        query = query.order_by(holidays.c.date, holidays.c.id).limit(limit + 1)
        return [
            Holiday(r.id, r.org_id, r.date, r.name, r.created_at)
            for r in (await self._session.execute(query)).all()
        ]


def _allocation(row) -> Allocation:
    return Allocation(
        id=row.id,
        org_id=row.org_id,
        resource_id=row.resource_id,
        project_id=row.project_id,
        allocated_hours=row.allocated_hours,
        start_date=row.start_date,
        end_date=row.end_date,
        tentative=row.tentative,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlAlchemyAllocationRepository:
    def __init__(self, session: AsyncSession, org_id: uuid.UUID | None) -> None:
        self._session = session
        self._org_id = org_id

    async def get(self, allocation_id: uuid.UUID, *, lock: bool = False) -> Allocation | None:
        query = select(allocations).where(
            allocations.c.org_id == self._org_id, allocations.c.id == allocation_id
        )
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return _allocation(row) if row else None

    async def add(self, allocation: Allocation) -> Allocation:
        row = (
            await self._session.execute(
                insert(allocations)
                .values(
                    id=allocation.id,
                    org_id=allocation.org_id,
                    resource_id=allocation.resource_id,
                    project_id=allocation.project_id,
                    allocated_hours=allocation.allocated_hours,
                    start_date=allocation.start_date,
                    end_date=allocation.end_date,
                    tentative=allocation.tentative,
                    created_at=func.now(),
                    updated_at=func.now(),
                )
                .returning(allocations.c.created_at, allocations.c.updated_at)
            )
        ).one()
        allocation.created_at, allocation.updated_at = row.created_at, row.updated_at
        return allocation

    async def save(self, allocation: Allocation) -> Allocation:
        allocation.updated_at = (
            await self._session.execute(
                update(allocations)
                .where(allocations.c.org_id == self._org_id, allocations.c.id == allocation.id)
                .values(
                    resource_id=allocation.resource_id,
                    project_id=allocation.project_id,
                    allocated_hours=allocation.allocated_hours,
                    start_date=allocation.start_date,
                    end_date=allocation.end_date,
                    tentative=allocation.tentative,
                    updated_at=func.clock_timestamp(),
                )
                .returning(allocations.c.updated_at)
            )
        ).scalar_one()
        return allocation

    async def delete(self, allocation_id: uuid.UUID) -> None:
        await self._session.execute(
            delete(allocations).where(
                allocations.c.org_id == self._org_id, allocations.c.id == allocation_id
            )
        )

    async def of_resource(self, resource_id: uuid.UUID, start: date, end: date):
        """The resource's allocations with at least one day in [start, end]."""
        rows = (
            await self._session.execute(
                select(allocations)
                .where(
                    allocations.c.org_id == self._org_id,
                    allocations.c.resource_id == resource_id,
                    allocations.c.start_date <= end,
                    allocations.c.end_date >= start,
                )
                .order_by(allocations.c.start_date, allocations.c.id)
            )
        ).all()
        return [_allocation(row) for row in rows]

    async def date_span(self, resource_id: uuid.UUID) -> tuple[date, date] | None:
        row = (
            await self._session.execute(
                select(func.min(allocations.c.start_date), func.max(allocations.c.end_date)).where(
                    allocations.c.org_id == self._org_id,
                    allocations.c.resource_id == resource_id,
                )
            )
        ).one()
        return (row[0], row[1]) if row[0] else None
