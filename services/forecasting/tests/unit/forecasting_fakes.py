"""Forecasting's read model in memory, with the SQL repositories' rules where the projection
relies on them: a row is written only when its event is newer than the row (`put_newer`), and
the row it would insert must be complete even when it ends up updating (PostgreSQL checks the
proposed row of an `INSERT ... ON CONFLICT DO UPDATE` against NOT NULL before the conflict)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table

from labs_common.testing.fakes import FakeUnitOfWork
from labs_forecasting.adapters import orm
from labs_forecasting.adapters.read_model import _entry, _project
from labs_forecasting.domain.model import (
    DailyMargin,
    Entry,
    Organization,
    Project,
    Totals,
)


class IncompleteRow(Exception):
    """What PostgreSQL answers (a NOT NULL violation) to an upsert missing a required column."""


class FakeAsOf:
    """One table of rows by id, each as of its event."""

    def __init__(self, table: Table, org_id: uuid.UUID | None) -> None:
        self.table = table
        self.org_id = org_id
        self.rows: dict[uuid.UUID, SimpleNamespace] = {}
        self.required = {c.name for c in table.c if not c.nullable and c.name not in ("id",)}

    async def put_newer(self, row_id: uuid.UUID, as_of: datetime, **values: Any) -> bool:
        values = {**values, "as_of": as_of}
        missing = self.required - {"org_id"} - set(values)
        if missing:
            raise IncompleteRow(f"{self.table.name}: {sorted(missing)} missing")
        found = self.rows.get(row_id)
        if found is None:
            columns = {c.name: None for c in self.table.c}
            self.rows[row_id] = SimpleNamespace(**{**columns, **values, "id": row_id,
                                                   "org_id": self.org_id})
            return True
        if not found.as_of < as_of:
            return False
        for name, value in values.items():
            setattr(found, name, value)
        return True

    async def row(self, row_id: uuid.UUID, *, lock: bool = False) -> SimpleNamespace | None:
        found = self.rows.get(row_id)
        return None if found is None else SimpleNamespace(**vars(found))


class FakeProjects(FakeAsOf):
    def __init__(self, org_id) -> None:
        super().__init__(orm.projects, org_id)

    async def get(self, project_id: uuid.UUID) -> Project | None:
        found = self.rows.get(project_id)
        return None if found is None else _project(found)

    async def many(self, project_ids=None, *, status=None, client_id=None) -> list[Project]:
        found = [_project(r) for r in self.rows.values()
                 if project_ids is None or r.id in project_ids]
        return [p for p in found if (status is None or p.status == status)
                and (client_id is None or p.client_id == client_id)]


class FakeEntries(FakeAsOf):
    def __init__(self, org_id) -> None:
        super().__init__(orm.entries, org_id)

    async def counted(self, row) -> Entry | None:
        return _entry(row) if row.counted else None

    async def uncosted_of(self, resource_id, user_id, since: date | None) -> list[Entry]:
        return [_entry(r) for r in self.rows.values()
                if (r.resource_id == resource_id or (user_id is not None and r.user_id == user_id))
                and r.cost_rate is None and r.counted
                and (since is None or r.date_worked >= since)]

    async def set_cost_rate(self, entry_ids, cost_rate: Decimal) -> None:
        for entry_id in entry_ids:
            self.rows[entry_id].cost_rate = cost_rate

    def counted_rows(self) -> list[SimpleNamespace]:
        return [r for r in self.rows.values() if r.counted]


class FakeResources(FakeAsOf):
    def __init__(self, org_id) -> None:
        super().__init__(orm.resources, org_id)

    async def user_of(self, resource_id):
        found = self.rows.get(resource_id)
        return None if found is None else found.user_id


class FakeTotals:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Totals] = {}
        self.locked: list[uuid.UUID] = []

    async def lock(self, project_id: uuid.UUID) -> Totals:
        self.locked.append(project_id)
        return self.rows.setdefault(project_id, Totals())

    async def add(self, project_id: uuid.UUID, delta: Totals) -> Totals:
        assert project_id in self.locked, "totals moved without their lock"
        self.rows[project_id] = self.rows[project_id].add(delta)
        return self.rows[project_id]

    async def of(self, project_ids):
        return {p: (self.rows[p], datetime(2026, 1, 1)) for p in project_ids if p in self.rows}


class FakeDaily:
    def __init__(self) -> None:
        self.rows: dict[tuple[uuid.UUID, date], DailyMargin] = {}

    async def put(self, project_id: uuid.UUID, day: DailyMargin) -> None:
        self.rows[(project_id, day.day)] = day

    async def between(self, project_id, start, end) -> list[DailyMargin]:
        return sorted((d for (p, _), d in self.rows.items()
                       if p == project_id and start <= d.day <= end), key=lambda d: d.day)

    async def percent_on_or_before(self, project_ids, day):
        found = {}
        for (project_id, on), daily in sorted(self.rows.items(), key=lambda kv: kv[0][1]):
            if project_id in project_ids and on <= day:
                found[project_id] = daily.margin_percent
        return found


class FakeOrganizations:
    def __init__(self, org_id) -> None:
        self.org = Organization(id=org_id)

    async def get(self) -> Organization:
        return replace(self.org)

    async def put_newer(self, as_of, **values) -> bool:
        self.org = replace(self.org, **values)
        return True


class FakeRates:
    def __init__(self) -> None:
        self.rows: dict[tuple[uuid.UUID, date], dict] = {}

    async def put(self, resource_id, effective_from, **values) -> None:
        self.rows[(resource_id, effective_from)] = values


class FakeForecastingUnitOfWork(FakeUnitOfWork):
    def _start(self) -> None:
        org = self.scope.org_id
        self.projects = FakeProjects(org)
        self.entries = FakeEntries(org)
        self.expenses = FakeAsOf(orm.expenses, org)
        self.resources = FakeResources(org)
        self.allocations = FakeAsOf(orm.allocations, org)
        self.invoices = FakeAsOf(orm.invoices, org)
        self.totals = FakeTotals()
        self.daily = FakeDaily()
        self.organizations = FakeOrganizations(org)
        self.rates = FakeRates()
