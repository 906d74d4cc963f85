"""Forecasting's read model in memory, with the SQL repositories' rules where the projection
relies on them: a row is written only when its event is newer than the row (`put_newer`), and
the row it would insert must be complete even when it ends up updating (PostgreSQL checks the
proposed row of an `INSERT ... ON CONFLICT DO UPDATE` against NOT NULL before the conflict)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table

from labs_common.testing.fakes import FakeUnitOfWork
from labs_forecasting.adapters import orm
from labs_forecasting.adapters.read_model import _entry, _project
from labs_forecasting.domain.alert_rules import Alert, AlertSubscription, Member
from labs_forecasting.domain.model import (
    DailyMargin,
    Entry,
    Organization,
    Project,
    Totals,
)


async def until(condition, timeout: float = 10.0) -> None:
    """Polls `condition` (a plain function) until it holds, failing at the deadline."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "not before the deadline"
        await asyncio.sleep(0.01)


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
        # The SQL dashboard joins totals and daily margins: the fake asks the uow's fakes.
        self.totals: FakeTotals | None = None
        self.daily: FakeDaily | None = None

    async def get(self, project_id: uuid.UUID) -> Project | None:
        found = self.rows.get(project_id)
        return None if found is None else _project(found)

    async def many(self, project_ids=None, *, status=None, client_id=None) -> list[Project]:
        found = [_project(r) for r in self.rows.values()
                 if project_ids is None or r.id in project_ids]
        return [p for p in found if (status is None or p.status == status)
                and (client_id is None or p.client_id == client_id)]

    async def dashboard(self, *, status=None, client_id=None, trend_day: date,
                        project_ids=None) -> list:
        found = await self.many(project_ids, status=status, client_id=client_id)
        if project_ids is None and status is None:
            found = [p for p in found if p.status != "archived"]
        ids = [p.id for p in found]
        totals = await self.totals.of(ids)
        before = await self.daily.percent_on_or_before(ids, trend_day)
        return [(p, *totals.get(p.id, (Totals(), p.as_of)), before.get(p.id)) for p in found]


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


class FakeMembers:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, SimpleNamespace] = {}

    async def put_newer(self, user_id, as_of, **values) -> bool:
        found = self.rows.get(user_id)
        if found is not None and not found.as_of < as_of:
            return False
        self.rows[user_id] = SimpleNamespace(user_id=user_id, as_of=as_of, **values)
        return True

    async def row(self, user_id):
        return self.rows.get(user_id)

    async def get(self, user_id) -> Member | None:
        found = self.rows.get(user_id)
        return None if found is None else Member(
            user_id=found.user_id, email=found.email, name=found.name, role=found.role,
            active=found.active, preferences=found.preferences)


class FakeSubscriptions:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, AlertSubscription] = {}
        self.allocated: dict[uuid.UUID, list[uuid.UUID]] = {}

    async def add_if_absent(self, sub: AlertSubscription):
        for found in self.rows.values():
            if (found.user_id, found.alert_type, found.delivery_method, found.project_id) == (
                    sub.user_id, sub.alert_type, sub.delivery_method, sub.project_id):
                return found, False
        sub = replace(sub, created_at=datetime.now(UTC))
        self.rows[sub.id] = sub
        return sub, True

    async def of_user(self, user_id):
        return [s for s in self.rows.values() if s.user_id == user_id]

    async def get_own(self, subscription_id, user_id):
        found = self.rows.get(subscription_id)
        return found if found is not None and found.user_id == user_id else None

    async def set(self, subscription_id, **values):
        self.rows[subscription_id] = replace(self.rows[subscription_id], **values)
        return self.rows[subscription_id]

    async def delete(self, subscription_id) -> None:
        self.rows.pop(subscription_id, None)

    async def enabled_for(self, alert_types, project_ids):
        return [s for s in self.rows.values() if s.alert_type in alert_types and s.enabled
                and (project_ids is None or s.project_id is None or s.project_id in project_ids)]

    async def projects_of_resource(self, resource_id):
        return self.allocated.get(resource_id, [])


class FakeAlertStates:
    def __init__(self) -> None:
        self.rows: dict[tuple[uuid.UUID, uuid.UUID], str] = {}

    async def lock(self, subscription_id, subject_id):
        return self.rows.get((subscription_id, subject_id))

    async def put(self, subscription_id, subject_id, state) -> None:
        self.rows[(subscription_id, subject_id)] = state


class FakeAlerts:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Alert] = {}

    async def add(self, alert: Alert) -> Alert:
        alert = replace(alert, created_at=datetime.now(UTC))
        self.rows[alert.id] = alert
        return alert

    async def get_own(self, alert_id, user_id):
        found = self.rows.get(alert_id)
        return found if found is not None and found.user_id == user_id else None

    async def set(self, alert_id, **values):
        self.rows[alert_id] = replace(self.rows[alert_id], **values)
        return self.rows[alert_id]

    async def delete(self, alert_id) -> None:
        self.rows.pop(alert_id, None)

    async def page(self, user_id, *, limit, after, type=None, unread=None, severity=None,
                   project_id=None):
        found = [a for a in self.rows.values() if a.user_id == user_id
                 and (type is None or a.type == type)
                 and (unread is None or a.is_read is not unread)
                 and (severity is None or a.severity == severity)
                 and (project_id is None or a.project_id == project_id)]
        found.sort(key=lambda a: (a.created_at, a.id), reverse=True)
        if after is not None:
            found = [a for a in found if (a.created_at, a.id) < after]
        return found[:limit + 1]

    async def unread_count(self, user_id) -> int:
        return sum(1 for a in self.rows.values() if a.user_id == user_id and not a.is_read)


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
        self.projects.totals, self.projects.daily = self.totals, self.daily
        self.organizations = FakeOrganizations(org)
        self.rates = FakeRates()
        self.members = FakeMembers()
        self.subscriptions = FakeSubscriptions()
        self.alerts = FakeAlerts()
        self.alert_states = FakeAlertStates()
