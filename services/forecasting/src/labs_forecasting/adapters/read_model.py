"""The read model's repositories, in the unit of work's transaction and org: rows kept as of
the event they came from (`put_newer`: an older event never overwrites a later one), each
project's running totals (locked while they move), and the daily margins."""

from __future__ import annotations

import functools
import uuid
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.dialects.postgresql import distinct_on, insert

from labs_common.db import read_models
from labs_common.db.repository import OrgScopedRepository
from labs_forecasting.adapters.orm import (
    allocations,
    daily_margins,
    entries,
    expenses,
    forecasts,
    invoices,
    organizations,
    project_totals,
    projects,
    resource_rates,
    resources,
)
from labs_forecasting.domain.gaps import Booking, Staff
from labs_forecasting.domain.model import (
    BudgetType,
    DailyMargin,
    Entry,
    Expense,
    Organization,
    Project,
    Totals,
)
from labs_forecasting.domain.reports import AllocationSpan, Person, PersonHours, WorkSums
from labs_forecasting.domain.risk import RateLevel

TOTALS = tuple(f.name for f in fields(Totals))

# The statements below that run for every event heard are built once, with parameters for
# their values: building one (and its cache key) costs SQLAlchemy about three times what
# running a built one does.


@functools.cache
def _dashboard(*, by_ids: bool, by_status: bool, by_client: bool) -> Select:
    """SqlProjects.dashboard's statement for one combination of its filters."""
    org = bindparam("p_org")
    before = (select(daily_margins.c.margin_percent)
              .where(daily_margins.c.project_id == projects.c.id,
                     daily_margins.c.org_id == org,
                     daily_margins.c.day <= bindparam("p_trend_day"))
              .order_by(daily_margins.c.day.desc()).limit(1)
              .correlate(projects).scalar_subquery())
    query = (select(projects, *(project_totals.c[n].label(f"t_{n}") for n in TOTALS),
                    project_totals.c.updated_at.label("t_updated_at"),
                    before.label("before_percent"))
             .select_from(projects.outerjoin(project_totals, (
                 project_totals.c.project_id == projects.c.id)
                 & (project_totals.c.org_id == org)))
             .where(projects.c.org_id == org))
    if by_ids:
        query = query.where(projects.c.id.in_(bindparam("p_ids", expanding=True)))
    if by_status:
        query = query.where(projects.c.status == bindparam("p_status"))
    elif not by_ids:
        query = query.where(projects.c.status != "archived")
    if by_client:
        query = query.where(projects.c.client_id == bindparam("p_client"))
    return query


_CREATE_TOTALS = insert(project_totals).values(
    org_id=bindparam("p_org"), project_id=bindparam("p_project"), updated_at=func.now(),
).on_conflict_do_nothing()
_LOCK_TOTALS = select(project_totals).where(
    project_totals.c.project_id == bindparam("p_project")).with_for_update()
_ADD_TO_TOTALS = project_totals.update().where(
    project_totals.c.project_id == bindparam("p_project")
).values(**{name: project_totals.c[name] + bindparam(f"p_{name}") for name in TOTALS},
         updated_at=func.now()).returning(*project_totals.c)
DAILY_AMOUNTS = ("revenue", "cost", "margin_dollar", "margin_percent")
_PUT_DAILY = insert(daily_margins).values(
    org_id=bindparam("p_org"), project_id=bindparam("p_project"), day=bindparam("p_day"),
    **{name: bindparam(f"p_{name}") for name in DAILY_AMOUNTS})
_PUT_DAILY = _PUT_DAILY.on_conflict_do_update(
    index_elements=[daily_margins.c.project_id, daily_margins.c.day],
    set_={name: _PUT_DAILY.excluded[name] for name in DAILY_AMOUNTS})
_ORGANIZATION = select(organizations).where(organizations.c.id == bindparam("p_org"))


class AsOfRepository(read_models.AsOfRepository):
    async def row(self, row_id: uuid.UUID, *, lock: bool = False) -> Row | None:
        return await self._row(row_id, lock=lock)


class SqlProjects(AsOfRepository):
    table = projects

    async def get(self, project_id: uuid.UUID) -> Project | None:
        row = await self._row(project_id)
        return None if row is None else _project(row)

    async def many(self, project_ids: list[uuid.UUID] | None = None, *,
                   status: str | None = None, client_id: uuid.UUID | None = None
                   ) -> list[Project]:
        query = self._select()
        if project_ids is not None:
            query = query.where(projects.c.id.in_(project_ids))
        if status:
            query = query.where(projects.c.status == status)
        elif project_ids is None:
            query = query.where(projects.c.status != "archived")
        if client_id is not None:
            query = query.where(projects.c.client_id == client_id)
        return [_project(r) for r in (await self._session.execute(query)).all()]

    async def dashboard(self, *, status: str | None = None, client_id: uuid.UUID | None = None,
                        trend_day: date, project_ids: list[uuid.UUID] | None = None
                        ) -> list[tuple[Project, Totals, datetime, Decimal | None]]:
        """Projects (filtered as `many`), each with its totals, their time and its margin
        percent at the end of `trend_day`, in one statement: the per-project rows only (one
        look-up of daily_margins' primary key per project), never the entries. The
        profitability dashboard's, and a project list's margins."""
        query = _dashboard(by_ids=project_ids is not None, by_status=bool(status),
                           by_client=client_id is not None)
        params = {"p_org": self._org_id, "p_trend_day": trend_day, "p_ids": project_ids,
                  "p_status": status, "p_client": client_id}
        found = []
        for r in (await self._session.execute(query, params)).all():
            totals = (Totals(**{n: getattr(r, f"t_{n}") for n in TOTALS})
                      if r.t_updated_at is not None else Totals())
            found.append((_project(r), totals, r.t_updated_at or r.as_of, r.before_percent))
        return found

    async def count_active(self) -> int:
        return (await self._session.execute(select(func.count()).select_from(projects).where(
            projects.c.org_id == self._org_id, projects.c.status == "active"))).scalar_one()

    async def stored_forecasts(self, project_ids: list[uuid.UUID]) -> dict[uuid.UUID, Row]:
        """The forecast engine's row of each project that has one (the forecasts table)."""
        if not project_ids:
            return {}
        rows = (await self._session.execute(select(forecasts).where(
            forecasts.c.org_id == self._org_id,
            forecasts.c.project_id.in_(project_ids)))).all()
        return {r.project_id: r for r in rows}


class SqlEntries(AsOfRepository):
    table = entries

    async def counted(self, row: Row) -> Entry | None:
        return _entry(row) if row.counted else None

    async def uncosted_of(self, resource_id: uuid.UUID, user_id: uuid.UUID | None,
                          since: date | None) -> list[Entry]:
        """A person's counted entries without a cost rate, locked, from `since` on."""
        person = entries.c.resource_id == resource_id
        if user_id is not None:
            person = person | (entries.c.user_id == user_id)
        query = self._select(person, entries.c.cost_rate.is_(None), entries.c.counted)
        if since is not None:
            query = query.where(entries.c.date_worked >= since)
        rows = (await self._session.execute(query.with_for_update())).all()
        return [_entry(r) for r in rows]

    async def set_cost_rate(self, entry_ids: list[uuid.UUID], cost_rate: Decimal) -> None:
        await self._session.execute(entries.update().where(
            entries.c.org_id == self._org_id, entries.c.id.in_(entry_ids)
        ).values(cost_rate=cost_rate))

    def _dated(self, start: date, end: date):
        return (entries.c.org_id == self._org_id, entries.c.counted,
                entries.c.date_worked >= start, entries.c.date_worked <= end)

    async def hours_between(self, start: date, end: date) -> tuple[Decimal, Decimal]:
        """(hours, billable hours) of the entries dated in [start, end] (billable hours are
        rounded hours of billable entries, as in a margin): a range on entries_org_date."""
        row = (await self._session.execute(select(
            func.coalesce(func.sum(entries.c.hours), 0),
            func.coalesce(func.sum(entries.c.rounded_hours).filter(entries.c.billable), 0),
        ).where(*self._dated(start, end)))).one()
        return Decimal(row[0]), Decimal(row[1])

    async def revenue_by_currency(self, start: date, end: date) -> list[tuple[str, Decimal]]:
        """Σ rounded hours x billable rate of billable entries dated in [start, end], per
        currency."""
        query = (select(entries.c.currency,
                        func.sum(entries.c.rounded_hours * entries.c.billable_rate))
                 .where(*self._dated(start, end), entries.c.billable)
                 .group_by(entries.c.currency))
        return [(c, Decimal(v)) for c, v in (await self._session.execute(query)).all()]

    async def sums_by_project(self, start: date, end: date,
                              project_ids: list[uuid.UUID] | None = None
                              ) -> dict[uuid.UUID, WorkSums]:
        """Each project's hours, time revenue and labor cost of the entries dated in [start,
        end]."""
        query = (select(
            entries.c.project_id,
            func.sum(entries.c.hours),
            func.coalesce(func.sum(entries.c.rounded_hours * entries.c.billable_rate)
                          .filter(entries.c.billable), 0),
            func.coalesce(func.sum(entries.c.hours * entries.c.cost_rate), 0),
            func.coalesce(func.sum(entries.c.hours).filter(entries.c.cost_rate.is_(None)), 0),
        ).where(*self._dated(start, end)).group_by(entries.c.project_id))
        if project_ids is not None:
            query = query.where(entries.c.project_id.in_(project_ids))
        return {r[0]: WorkSums(hours=Decimal(r[1]), time_revenue=Decimal(r[2]),
                               labor_cost=Decimal(r[3]), uncosted_hours=Decimal(r[4]))
                for r in (await self._session.execute(query)).all()}

    async def hours_by_person(self, start: date, end: date) -> list[PersonHours]:
        """Hours and billable hours (hours worked on billable entries) per person in [start,
        end]."""
        query = (select(entries.c.resource_id, entries.c.user_id, func.sum(entries.c.hours),
                        func.coalesce(func.sum(entries.c.hours).filter(entries.c.billable), 0))
                 .where(*self._dated(start, end))
                 .group_by(entries.c.resource_id, entries.c.user_id))
        return [PersonHours(r[0], r[1], Decimal(r[2]), Decimal(r[3]))
                for r in (await self._session.execute(query)).all()]

    async def of_project(self, project_id: uuid.UUID) -> list[Entry]:
        """The project's counted entries, by date."""
        query = self._select(entries.c.project_id == project_id, entries.c.counted).order_by(
            entries.c.date_worked, entries.c.id)
        return [_entry(r) for r in (await self._session.execute(query)).all()]


class SqlExpenses(AsOfRepository):
    table = expenses

    def _dated(self, start: date, end: date):
        return (expenses.c.org_id == self._org_id, expenses.c.counted,
                expenses.c.expense_date >= start, expenses.c.expense_date <= end)

    async def sums_by_project(self, start: date, end: date,
                              project_ids: list[uuid.UUID] | None = None
                              ) -> dict[uuid.UUID, WorkSums]:
        query = (select(expenses.c.project_id, func.sum(expenses.c.amount),
                        func.coalesce(func.sum(expenses.c.amount).filter(expenses.c.billable), 0))
                 .where(*self._dated(start, end)).group_by(expenses.c.project_id))
        if project_ids is not None:
            query = query.where(expenses.c.project_id.in_(project_ids))
        return {r[0]: WorkSums(expense_cost=Decimal(r[1]), billable_expenses=Decimal(r[2]))
                for r in (await self._session.execute(query)).all()}

    async def billable_by_currency(self, start: date, end: date) -> list[tuple[str, Decimal]]:
        query = (select(expenses.c.currency, func.sum(expenses.c.amount))
                 .where(*self._dated(start, end), expenses.c.billable)
                 .group_by(expenses.c.currency))
        return [(c, Decimal(v)) for c, v in (await self._session.execute(query)).all()]

    async def of_project(self, project_id: uuid.UUID) -> list[Expense]:
        query = self._select(expenses.c.project_id == project_id, expenses.c.counted).order_by(
            expenses.c.expense_date, expenses.c.id)
        return [e for r in (await self._session.execute(query)).all()
                if (e := expense_of(r)) is not None]


class SqlResources(AsOfRepository):
    table = resources

    async def user_of(self, resource_id: uuid.UUID) -> uuid.UUID | None:
        row = await self._row(resource_id)
        return None if row is None else row.user_id

    async def people(self) -> list[Person]:
        rows = (await self._session.execute(self._select())).all()
        return [Person(id=r.id, name=r.name, user_id=r.user_id, active=r.active,
                       capacity_hours_per_week=r.capacity_hours_per_week) for r in rows]

    async def weekly_capacity(self) -> Decimal:
        """Σ capacity hours per week of the active resources."""
        return Decimal((await self._session.execute(
            select(func.coalesce(func.sum(resources.c.capacity_hours_per_week), 0)).where(
                resources.c.org_id == self._org_id, resources.c.active))).scalar_one())

    async def staff(self) -> list[Staff]:
        """Every resource with its seniority level and weekly capacity (gaps, over-allocation)."""
        rows = (await self._session.execute(self._select())).all()
        return [Staff(id=r.id, seniority_level=r.seniority_level,
                      capacity_hours_per_week=r.capacity_hours_per_week, active=r.active)
                for r in rows]

    async def rate_levels(self, today: date) -> list[RateLevel]:
        """Per seniority level of the active resources, the average of each one's rates in
        effect on `today` (cost rate: only those with one)."""
        latest = (select(resource_rates.c.resource_id, resource_rates.c.billing_rate,
                         resource_rates.c.cost_rate)
                  .where(resource_rates.c.org_id == self._org_id,
                         resource_rates.c.effective_from <= today)
                  .ext(distinct_on(resource_rates.c.resource_id))
                  .order_by(resource_rates.c.resource_id, resource_rates.c.effective_from.desc())
                  .subquery())
        query = (select(resources.c.seniority_level, func.avg(latest.c.cost_rate),
                        func.avg(latest.c.billing_rate))
                 .select_from(resources.join(latest, latest.c.resource_id == resources.c.id))
                 .where(resources.c.org_id == self._org_id, resources.c.active,
                        latest.c.cost_rate.is_not(None))
                 .group_by(resources.c.seniority_level))
        return [RateLevel(level, Decimal(cost), Decimal(bill) if bill is not None else None)
                for level, cost, bill in (await self._session.execute(query)).all()]


class SqlAllocations(AsOfRepository):
    table = allocations

    async def confirmed_between(self, start: date, end: date) -> list[AllocationSpan]:
        """Confirmed allocations overlapping [start, end], but those to an archived project
        (capacity counts them nowhere either)."""
        query = (select(allocations.c.resource_id, allocations.c.allocated_hours,
                        allocations.c.start_date, allocations.c.end_date)
                 .select_from(allocations.outerjoin(projects, (
                     projects.c.id == allocations.c.project_id)
                     & (projects.c.org_id == self._org_id)))
                 .where(allocations.c.org_id == self._org_id, allocations.c.counted,
                        ~allocations.c.tentative, allocations.c.start_date <= end,
                        allocations.c.end_date >= start,
                        func.coalesce(projects.c.status, "") != "archived"))
        return [AllocationSpan(*r) for r in (await self._session.execute(query)).all()]

    async def bookings_between(self, start: date, end: date) -> list[Booking]:
        """Counted allocations overlapping [start, end], tentative ones included, but those to
        an archived or completed project (resource gaps and over-allocation)."""
        query = (select(allocations.c.resource_id, allocations.c.allocated_hours,
                        allocations.c.start_date, allocations.c.end_date,
                        allocations.c.project_id, allocations.c.tentative)
                 .select_from(allocations.outerjoin(projects, (
                     projects.c.id == allocations.c.project_id)
                     & (projects.c.org_id == self._org_id)))
                 .where(allocations.c.org_id == self._org_id, allocations.c.counted,
                        allocations.c.start_date <= end, allocations.c.end_date >= start,
                        func.coalesce(projects.c.status, "").not_in(("archived", "completed"))))
        return [Booking(*r) for r in (await self._session.execute(query)).all()]


class SqlInvoices(AsOfRepository):
    table = invoices

    OWING = ("sent", "partially_paid", "overdue")

    async def owed(self, today: date) -> tuple[list[tuple[str, Decimal]], int]:
        """Σ total - amount paid of the issued invoices still owed, per currency, and how many
        of them are past their due date."""
        owing = (invoices.c.org_id == self._org_id, invoices.c.status.in_(self.OWING),
                 invoices.c.total > invoices.c.amount_paid)
        amounts = (await self._session.execute(
            select(invoices.c.currency, func.sum(invoices.c.total - invoices.c.amount_paid))
            .where(*owing).group_by(invoices.c.currency))).all()
        overdue = (await self._session.execute(select(func.count()).select_from(invoices).where(
            *owing, invoices.c.due_date < today))).scalar_one()
        return [(c, Decimal(v)) for c, v in amounts], overdue

    async def overdue_by_project(self, today: date
                                 ) -> dict[uuid.UUID, list[tuple[uuid.UUID, Decimal, date, str]]]:
        """Each project's invoices owed past their due date: (id, still owed, due date,
        currency)."""
        query = (select(invoices.c.project_id, invoices.c.id,
                        invoices.c.total - invoices.c.amount_paid, invoices.c.due_date,
                        invoices.c.currency)
                 .where(invoices.c.org_id == self._org_id, invoices.c.status.in_(self.OWING),
                        invoices.c.total > invoices.c.amount_paid, invoices.c.due_date < today,
                        invoices.c.project_id.is_not(None)))
        found: dict[uuid.UUID, list[tuple[uuid.UUID, Decimal, date, str]]] = {}
        for project_id, invoice_id, owed, due, currency in (
                await self._session.execute(query)).all():
            found.setdefault(project_id, []).append((invoice_id, Decimal(owed), due, currency))
        return found


class SqlTotals(OrgScopedRepository):
    table = project_totals

    async def lock(self, project_id: uuid.UUID) -> Totals:
        """The project's totals, locked until the transaction ends (created at zero): every
        change to a project's sums queues here, so none is lost between two events."""
        await self._session.execute(_CREATE_TOTALS,
                                    {"p_org": self._org_id, "p_project": project_id})
        row = (await self._session.execute(_LOCK_TOTALS, {"p_project": project_id})).one()
        return _totals(row)

    async def add(self, project_id: uuid.UUID, delta: Totals) -> Totals:
        """`delta` added to the (locked) totals; answers them."""
        row = (await self._session.execute(_ADD_TO_TOTALS, {
            "p_project": project_id, **{f"p_{n}": getattr(delta, n) for n in TOTALS}})).one()
        return _totals(row)

    async def of(self, project_ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[Totals, datetime]]:
        rows = (await self._session.execute(select(project_totals).where(
            project_totals.c.org_id == self._org_id,
            project_totals.c.project_id.in_(project_ids)))).all()
        return {r.project_id: (_totals(r), r.updated_at) for r in rows}


class SqlDailyMargins(OrgScopedRepository):
    table = daily_margins

    async def put(self, project_id: uuid.UUID, day: DailyMargin) -> None:
        await self._session.execute(_PUT_DAILY, {
            "p_org": self._org_id, "p_project": project_id, "p_day": day.day,
            **{f"p_{name}": getattr(day, name) for name in DAILY_AMOUNTS}})

    async def between(self, project_id: uuid.UUID, start: date, end: date) -> list[DailyMargin]:
        query = select(daily_margins).where(
            daily_margins.c.org_id == self._org_id, daily_margins.c.project_id == project_id,
            daily_margins.c.day >= start, daily_margins.c.day <= end,
        ).order_by(daily_margins.c.day)
        return [_daily(r) for r in (await self._session.execute(query)).all()]

    async def percent_on_or_before(self, project_ids: list[uuid.UUID], day: date
                                   ) -> dict[uuid.UUID, Decimal | None]:
        """Each project's margin percent as it stood at the end of `day` (its last row then)."""
        query = (select(daily_margins.c.project_id, daily_margins.c.margin_percent)
                 .where(daily_margins.c.org_id == self._org_id,
                        daily_margins.c.project_id.in_(project_ids), daily_margins.c.day <= day)
                 .ext(distinct_on(daily_margins.c.project_id))
                 .order_by(daily_margins.c.project_id, daily_margins.c.day.desc()))
        return {r.project_id: r.margin_percent for r in (await self._session.execute(query))}


async def projects_without_a_row_on(session, day: date, limit: int
                                    ) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(org, project) of live projects whose history has no row for `day` yet (system scope:
    every org)."""
    missing = ~select(daily_margins.c.project_id).where(
        daily_margins.c.project_id == projects.c.id, daily_margins.c.day == day).exists()
    query = (select(projects.c.org_id, projects.c.id)
             .where(projects.c.status != "archived", missing).limit(limit))
    return [(r.org_id, r.id) for r in (await session.execute(query)).all()]


class SqlOrganizations(OrgScopedRepository):
    table = organizations

    async def get(self) -> Organization:
        row = (await self._session.execute(_ORGANIZATION, {"p_org": self._org_id})).first()
        if row is None:
            return Organization(id=self._org_id)  # type: ignore[arg-type]
        return Organization(
            id=row.id, currency=row.currency, timezone=row.timezone,
            exchange_rates={k: Decimal(str(v)) for k, v in row.exchange_rates.items()},
            financials_visible_to=row.financials_visible_to)

    async def put_newer(self, as_of: datetime, **values: Any) -> bool:
        return await read_models.put_newer(self._session, organizations, as_of,
                                           key={"id": self._org_id}, values=values)


class SqlRates(OrgScopedRepository):
    table = resource_rates

    async def put(self, resource_id: uuid.UUID, effective_from: date, **values: Any) -> None:
        statement = insert(resource_rates).values(org_id=self._org_id, resource_id=resource_id,
                                                  effective_from=effective_from, **values)
        await self._session.execute(statement.on_conflict_do_update(
            index_elements=[resource_rates.c.resource_id, resource_rates.c.effective_from],
            set_=values))


def _project(row: Row) -> Project:
    return Project(
        id=row.id, org_id=row.org_id, name=row.name, budget_type=BudgetType(row.budget_type),
        currency=row.currency, client_id=row.client_id, client_name=row.client_name,
        status=row.status, budget_total=row.budget_total, budget_hours=row.budget_hours,
        start_date=row.start_date, end_date=row.end_date, as_of=row.as_of)


def _entry(row: Row) -> Entry:
    return Entry(
        id=row.id, project_id=row.project_id, date_worked=row.date_worked, hours=row.hours,
        rounded_hours=row.rounded_hours, billable=row.billable, billable_rate=row.billable_rate,
        cost_rate=row.cost_rate, currency=row.currency, user_id=row.user_id,
        resource_id=row.resource_id)


def expense_of(row: Row) -> Expense | None:
    if not row.counted:
        return None
    return Expense(id=row.id, project_id=row.project_id, amount=row.amount,
                   currency=row.currency, billable=row.billable, expense_date=row.expense_date)


def _totals(row: Row) -> Totals:
    return Totals(**{name: getattr(row, name) for name in TOTALS})


def _daily(row: Row) -> DailyMargin:
    return DailyMargin(day=row.day, revenue=row.revenue, cost=row.cost,
                       margin_dollar=row.margin_dollar, margin_percent=row.margin_percent)
