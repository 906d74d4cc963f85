"""Resources (people and placeholders) with their rates over time."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import any_, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from labs_capacity.adapters.orm import resource_rates, resources
from labs_capacity.domain.model import Rates, Resource, ResourceFilters, Seniority
from labs_common.db.repository import OrgScopedRepository, from_row

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


def _rates(row, effective_to: date | None = None) -> Rates:
    # currency is CHAR(3): strip whatever padding the column gives back.
    return Rates(
        row.billing_rate, row.cost_rate, row.currency.strip(), row.effective_from, effective_to
    )


def _changeable(resource: Resource) -> dict:
    """The resource's own columns its owner sets (on insert and on every update)."""
    return {
        "name": resource.name,
        "email": resource.email,
        "user_id": resource.user_id,
        "seniority_level": resource.seniority_level.value,
        "capacity_hours_per_week": resource.capacity_hours_per_week,
        "working_days": list(resource.working_days),
        "skills": list(resource.skills),
        "is_placeholder": resource.is_placeholder,
        "end_date": resource.end_date,
    }


EVERY_RESOURCE = ResourceFilters()


class SqlAlchemyResourceRepository(OrgScopedRepository):
    table = resources

    async def _with_rates(self, rows, on: date) -> list[Resource]:
        found = []
        for row in rows:
            found.append(
                from_row(
                    Resource,
                    row,
                    seniority_level=Seniority(row.seniority_level),
                    rates=await self.rates_on(row.id, on, or_earliest=True),
                    working_days=tuple(row.working_days),
                    skills=tuple(row.skills),
                )
            )
        return found

    async def get(self, resource_id: uuid.UUID, on: date, *, lock: bool = False):
        row = await self._row(resource_id, lock=lock)
        if row is None:
            return None
        return (await self._with_rates([row], on))[0]

    async def list(self, on: date, after: tuple[str, uuid.UUID] | None, limit: int,
                   filters: ResourceFilters = EVERY_RESOURCE):
        query = self._select()
        if filters.is_active is not None:
            active = (resources.c.end_date.is_(None)) | (resources.c.end_date > on)
            query = query.where(active if filters.is_active else ~active)
        if filters.seniority_level is not None:
            query = query.where(resources.c.seniority_level == filters.seniority_level.value)
        if filters.skill:
            query = query.where(any_(resources.c.skills) == filters.skill)
        rows = await self._page(query, (resources.c.name, resources.c.id), after, limit)
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

    def _of_user(self, user_id: uuid.UUID):
        return select(resources.c.id).where(
            resources.c.org_id == self._org_id, resources.c.user_id == user_id
        )

    async def id_of_user(self, user_id: uuid.UUID) -> uuid.UUID | None:
        return (await self._session.execute(self._of_user(user_id))).scalar()

    async def user_taken(self, user_id: uuid.UUID, other_than: uuid.UUID | None = None) -> bool:
        query = self._of_user(user_id)
        if other_than:
            query = query.where(resources.c.id != other_than)
        return (await self._session.execute(query)).first() is not None

    async def add(self, resource: Resource) -> Resource:
        row = await self._insert(id=resource.id, org_id=resource.org_id, **_changeable(resource))
        resource.created_at, resource.updated_at = row.created_at, row.updated_at
        await self.set_rates(resource.id, resource.rates)
        return resource

    async def save(self, resource: Resource) -> Resource:
        """Writes the resource's own fields (rates are written by set_rates)."""
        resource.updated_at = await self._update(resource.id, **_changeable(resource))
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
        return _rates(row) if row else None

    async def rate_history(self, resource_id: uuid.UUID) -> list[Rates]:
        """Every period of the resource's rates, oldest first, each ending the day before the
        next one starts (the last one still in effect)."""
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
                _rates(row, date.fromordinal(following.toordinal() - 1) if following else None)
            )
        return periods
