"""Repositories of time's read models (adapters/orm.py, migration 0008), in the unit of work's
transaction and org. Rows written from events keep the time of their event (`put_newer`: an
older event never overwrites a later one, as forecasting's read model); what time fills in
from an owner's answer is kept as of that answer (`remember_*`), or before any event when the
answer carries no time of its own."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from labs_common.db import read_models
from labs_common.db.repository import OrgScopedRepository
from labs_time.adapters.directory import Organization, Project
from labs_time.adapters.orm import (
    known_organizations,
    known_projects,
    known_resource_rates,
    known_resources,
)
from labs_time.domain.known import BEFORE_ANY_EVENT, KnownRate, KnownResource


class AsOfRepository(read_models.AsOfRepository):
    async def as_of(self, row_id: uuid.UUID) -> datetime | None:
        row = await self._row(row_id)
        return None if row is None else row.as_of


class SqlKnownOrganizations(OrgScopedRepository):
    """The one row of the unit of work's org (its id is the org's)."""

    table = known_organizations

    async def get(self) -> Organization | None:
        row = (await self._session.execute(select(known_organizations).where(
            known_organizations.c.id == self._org_id))).first()
        if row is None:
            return None
        return Organization(row.timezone, row.currency, dict(row.settings), row.as_of)

    async def put_newer(self, as_of: datetime, org: Organization) -> bool:
        return await read_models.put_newer(
            self._session, known_organizations, as_of, key={"id": self._org_id},
            values={"timezone": org.timezone, "currency": org.currency,
                    "settings": org.settings})


class SqlKnownProjects(AsOfRepository):
    table = known_projects

    async def get(self, project_id: uuid.UUID) -> Project | None:
        row = await self._row(project_id)
        if row is None:
            return None
        return Project(row.id, row.name, row.archived, row.billing_rate_override, row.currency,
                       row.as_of)

    async def put(self, as_of: datetime, project: Project) -> bool:
        return await self.put_newer(
            project.id, as_of, name=project.name, archived=project.archived,
            billing_rate_override=project.billing_rate_override, currency=project.currency)


class SqlKnownResources(AsOfRepository):
    """Resources (their link to a user) and their rate periods."""

    table = known_resources
    kept = {"rates_complete": False}

    async def put(self, as_of: datetime, resource: KnownResource) -> bool:
        """The resource as an event (or GetResource) states it; `rates_complete` stays."""
        return await self.put_newer(
            resource.id, as_of, name=resource.name, email=resource.email,
            user_id=resource.user_id, is_placeholder=resource.is_placeholder)

    async def get(self, resource_id: uuid.UUID) -> KnownResource | None:
        row = await self._row(resource_id)
        return None if row is None else _resource(row)

    async def of_user(self, user_id: uuid.UUID) -> list[KnownResource]:
        rows = (await self._session.execute(self._select(
            known_resources.c.user_id == user_id))).all()
        return [_resource(r) for r in rows]

    async def rates(self, resource_id: uuid.UUID) -> list[KnownRate]:
        rows = (await self._session.execute(select(known_resource_rates).where(
            known_resource_rates.c.org_id == self._org_id,
            known_resource_rates.c.resource_id == resource_id,
        ).order_by(known_resource_rates.c.effective_from))).all()
        return [KnownRate(r.effective_from, r.billing_rate, r.cost_rate, r.currency, r.as_of)
                for r in rows]

    async def put_rate(self, resource_id: uuid.UUID, as_of: datetime, rate: KnownRate) -> bool:
        """resource.rates_changed: the rates from rate.effective_from on (a period starting that
        same day is replaced, as capacity replaces it), unless a later event set them."""
        return await read_models.put_newer(
            self._session, known_resource_rates, as_of,
            key={"org_id": self._org_id, "resource_id": resource_id,
                 "effective_from": rate.effective_from},
            values={"billing_rate": rate.billing_rate, "cost_rate": rate.cost_rate,
                    "currency": rate.currency}, on=["resource_id", "effective_from"])

    async def remember_history(self, resource_id: uuid.UUID, user_id: uuid.UUID | None,
                               history: list[KnownRate]) -> None:
        """The whole rate history as capacity answered it (ListResourceRates): periods an event
        wrote already stay (they are at least as new), the others are kept before any event,
        and the resource counts as complete from now on. A resource not heard of yet is kept
        with the link the answer showed, before any event (its own events then win)."""
        await self._session.execute(insert(known_resources).values(
            id=resource_id, org_id=self._org_id, name="", email="", user_id=user_id,
            is_placeholder=False, rates_complete=False, as_of=BEFORE_ANY_EVENT,
        ).on_conflict_do_nothing())
        for rate in history:
            await self._session.execute(insert(known_resource_rates).values(
                org_id=self._org_id, resource_id=resource_id,
                effective_from=rate.effective_from, billing_rate=rate.billing_rate,
                cost_rate=rate.cost_rate, currency=rate.currency, as_of=BEFORE_ANY_EVENT,
            ).on_conflict_do_nothing())
        await self._session.execute(update(known_resources).where(
            known_resources.c.org_id == self._org_id, known_resources.c.id == resource_id,
        ).values(rates_complete=True))


def _resource(row) -> KnownResource:
    return KnownResource(row.id, row.name, row.email, row.user_id, row.is_placeholder,
                         row.rates_complete, row.as_of)
