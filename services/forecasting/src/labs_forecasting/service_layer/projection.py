"""The read model, moved by what the owners announce. Each handler runs in the consumer's
transaction (one event, its inbox claim, its effect) and keeps each row as of its event, so a
redelivered or an older event changes nothing. A project's totals move by the difference an
event makes (its entry's contribution before and after), under the totals row's lock; then the
project's margin is worked out again, today's daily row written, and `project.margin_updated`
announced, all in the same transaction."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from labs.forecasting.v1 import events_pb2
from labs_common.zones import today_in
from labs_forecasting.adapters import proto
from labs_forecasting.adapters.read_model import expense_of
from labs_forecasting.domain.model import (
    TREND_DAYS,
    DailyMargin,
    Entry,
    Expense,
    Margin,
    Project,
    Totals,
    margin_of,
    trend_of,
)
from labs_forecasting.service_layer import alerts
from labs_forecasting.service_layer.unit_of_work import ForecastingUnitOfWork

Uow = ForecastingUnitOfWork
ENTRY_COLUMNS = ("project_id", "user_id", "resource_id", "date_worked", "hours", "rounded_hours",
                 "billable", "billable_rate", "cost_rate", "currency")
EXPENSE_COLUMNS = ("project_id", "amount", "currency", "billable", "expense_date")


def _kept(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The row's own values: an upsert's proposed row must be whole (PostgreSQL checks NOT NULL
    before it finds the conflict), so a row marked uncounted is written back as it was."""
    return {name: getattr(row, name) for name in names}


async def project_heard(uow: Uow, project: Project) -> None:
    values = {name: getattr(project, name) for name in (
        "name", "client_id", "client_name", "status", "budget_total", "budget_hours",
        "currency", "start_date", "end_date")}
    if await uow.projects.put_newer(project.id, project.as_of, budget_type=project.budget_type,
                                    **values):
        await uow.totals.lock(project.id)
        await announce_margin(uow, project.id)


async def entry_heard(uow: Uow, entry_id: uuid.UUID, project_id: uuid.UUID,
                      entry: Entry | None, as_of: datetime, **identity: Any) -> None:
    """`entry` None: deleted, or a timer still running (it counts nothing)."""
    await uow.totals.lock(project_id)
    old = await uow.entries.row(entry_id, lock=True)
    if old is not None and old.as_of >= as_of:
        return
    before = await uow.entries.counted(old) if old is not None else None
    if before is not None and before.project_id != project_id:
        await uow.totals.lock(before.project_id)
    if entry is not None:
        values = {name: getattr(entry, name) for name in ENTRY_COLUMNS}
        await uow.entries.put_newer(entry_id, as_of, counted=True, **values)
    elif old is not None:
        await uow.entries.put_newer(entry_id, as_of, counted=False, **_kept(old, ENTRY_COLUMNS))
    else:  # gone before we heard of it: a tombstone, so its older events stay out
        await uow.entries.put_newer(
            entry_id, as_of, counted=False, project_id=project_id, date_worked=date.today(),
            hours=0, rounded_hours=0, billable=False, billable_rate=0, currency="XXX",
            **identity)
    await _move(uow, before, entry)


async def expense_heard(uow: Uow, expense_id: uuid.UUID, project_id: uuid.UUID,
                        expense: Expense | None, as_of: datetime) -> None:
    await uow.totals.lock(project_id)
    old = await uow.expenses.row(expense_id, lock=True)
    if old is not None and old.as_of >= as_of:
        return
    before = expense_of(old) if old is not None else None
    if expense is not None:
        await uow.expenses.put_newer(
            expense_id, as_of, counted=True, project_id=expense.project_id,
            amount=expense.amount, currency=expense.currency, billable=expense.billable,
            expense_date=expense.expense_date)
    elif old is not None:
        await uow.expenses.put_newer(expense_id, as_of, counted=False,
                                     **_kept(old, EXPENSE_COLUMNS))
    else:
        await uow.expenses.put_newer(
            expense_id, as_of, counted=False, project_id=project_id, amount=0, currency="XXX",
            billable=False, expense_date=date.today())
    await _move(uow, before, expense)


async def _move(uow: Uow, before: Entry | Expense | None, after: Entry | Expense | None) -> None:
    touched: set[uuid.UUID] = set()
    if before is not None:
        await uow.totals.add(before.project_id, Totals().add(before.contribution(), -1))
        touched.add(before.project_id)
    if after is not None:
        await uow.totals.add(after.project_id, after.contribution())
        touched.add(after.project_id)
    for project_id in sorted(touched):
        await announce_margin(uow, project_id)


async def cost_rate_set(uow: Uow, resource_id: uuid.UUID, cost_rate: Decimal,
                        since: date | None) -> None:
    """A person's cost rate arrived: their uncosted hours from `since` on are costed at it
    (entries that snapshotted a rate keep theirs)."""
    user_id = await uow.resources.user_of(resource_id)
    uncosted = await uow.entries.uncosted_of(resource_id, user_id, since)
    if not uncosted:
        return
    by_project: dict[uuid.UUID, list[Entry]] = {}
    for entry in uncosted:
        by_project.setdefault(entry.project_id, []).append(entry)
    for project_id in sorted(by_project):
        await uow.totals.lock(project_id)
    await uow.entries.set_cost_rate([e.id for e in uncosted], cost_rate)
    for project_id, group in sorted(by_project.items()):
        hours = sum((e.hours for e in group), Decimal("0"))
        await uow.totals.add(project_id, Totals(uncosted_hours=-hours,
                                                labor_cost=hours * cost_rate))
        await announce_margin(uow, project_id)


async def current_margins(uow: Uow, projects: list[Project], today: date) -> list[Margin]:
    """The margins of `projects` now, from their totals, with the trend against their margin
    TREND_DAYS ago."""
    ids = [p.id for p in projects]
    totals = await uow.totals.of(ids)
    before = await uow.daily.percent_on_or_before(ids, today - timedelta(days=TREND_DAYS))
    found = []
    for project in projects:
        sums, updated_at = totals.get(project.id, (Totals(), project.as_of))
        found.append(margin_now(project, sums, updated_at, before.get(project.id), today))
    return found


async def margins_of(uow: Uow, project_ids: list[uuid.UUID], today: date) -> list[Margin]:
    """current_margins of the projects with these ids that forecasting knows, read with their
    totals and trend in one statement (a project list asks this on every page)."""
    found = await uow.projects.dashboard(project_ids=project_ids,
                                         trend_day=today - timedelta(days=TREND_DAYS))
    return [margin_now(project, totals, updated_at, before, today)
            for project, totals, updated_at, before in found]


def margin_now(project: Project, totals: Totals, updated_at: datetime,
               before_percent: Decimal | None, today: date) -> Margin:
    """The project's margin from its totals, with its trend against `before_percent`."""
    now = margin_of(project, totals, today, updated_at=updated_at)
    return replace(now, trend=trend_of(now.margin_percent, before_percent))


async def announce_margin(uow: Uow, project_id: uuid.UUID) -> Margin | None:
    """The project's margin now, kept as today's row of its history and announced; None while
    forecasting has not heard of the project itself."""
    org = await uow.organizations.get()
    today = today_in(org.timezone)
    # The project, its totals and its trend's day in one statement, as a project list reads
    # them: this runs once per entry heard, and each round trip to PostgreSQL costs the most.
    found = await uow.projects.dashboard(project_ids=[project_id],
                                         trend_day=today - timedelta(days=TREND_DAYS))
    if not found:
        return None
    project, totals, updated_at, before = found[0]
    margin = margin_now(project, totals, updated_at, before, today)
    await uow.daily.put(project_id, DailyMargin(today, margin.revenue, margin.cost,
                                                margin.margin_dollar, margin.margin_percent))
    announced = await uow.outbox.add("project.margin_updated", events_pb2.MarginUpdated(
        project_id=str(project_id), margin=proto.margin(margin)), project_id=project_id)
    # The rules whose input is the margin (margin_threshold, budget_burn), in this transaction,
    # on the margin as announced: a rebuild defers announcements (its outbox answers None) until
    # each project's totals are whole again, and the rules wait with them.
    if announced is not None:
        await alerts.margin_changed(uow, project, margin)
    return margin
