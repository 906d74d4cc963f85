"""The reports, from the read model (and capacity's answer, asked before the transaction):

- the margin summary of a date range: per project with work dated in it (entries and expenses,
  grouped in SQL by index-backed date ranges), its hours, revenue (the value of the work at its
  rate snapshots, whatever the budget type: domain/reports.py says why), cost and margin, in
  the project's currency; the totals in the org's, converted at its exchange rates. For the
  financials readers (access.require_financials).
- resource utilization: per resource, available hours (capacity's), confirmed allocated hours
  (the read model's allocations overlapping the range), logged and billable hours, and both
  utilizations against available hours. Staff (viewer and up): it holds no money.
- the margin detail of one project: every entry (date, person, hours, rounded hours, billable,
  billable rate, cost rate, revenue, cost) and expense behind its margin. Its cost rates are for
  managers and up whatever the org's setting (access.require_cost_rates).

Both reports are limited to MAX_RANGE_DAYS (capacity answers up to 104 weeks at once).
Each report also becomes a ReportTable, which adapters/report_files.py writes as CSV or PDF.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from labs_common.errors import InvalidArgument, NotFound
from labs_common.zones import today_in
from labs_forecasting.adapters.capacity_client import Availability
from labs_forecasting.adapters.report_files import Column, ReportTable, format_range
from labs_forecasting.domain import commands
from labs_forecasting.domain.model import ZERO, Entry, Expense, Project, money
from labs_forecasting.domain.reports import (
    Converter,
    SummaryRow,
    UtilizationRow,
    WorkSums,
    summary_row,
    summary_totals,
    utilization_rows,
)
from labs_forecasting.service_layer import access
from labs_forecasting.service_layer.dashboards import require_staff
from labs_forecasting.service_layer.unit_of_work import ForecastingUnitOfWork

MAX_RANGE_DAYS = 366

def _columns(*spec: str) -> tuple[Column, ...]:
    """Columns from "key:Title" (text) and "key:Title:n" (numbers, right-aligned)."""
    return tuple(Column(*parts[:2], numeric=len(parts) > 2)
                 for parts in (item.split(":") for item in spec))


SUMMARY_COLUMNS = _columns(
    "name:Project", "client_name:Client", "currency:Currency", "hours:Hours:n",
    "revenue:Revenue:n", "cost:Cost:n", "margin_dollar:Margin:n", "margin_percent:Margin %:n")
UTILIZATION_COLUMNS = _columns(
    "name:Resource", "available_hours:Available h:n", "allocated_hours:Allocated h:n",
    "logged_hours:Logged h:n", "billable_hours:Billable h:n",
    "utilization_percent:Utilization %:n",
    "billable_utilization_percent:Billable utilization %:n")
DETAIL_COLUMNS = _columns(
    "type:Type", "date:Date", "person:Person", "hours:Hours:n", "rounded_hours:Rounded h:n",
    "billable:Billable", "billable_rate:Billable rate:n", "cost_rate:Cost rate:n",
    "revenue:Revenue:n", "cost:Cost:n", "currency:Currency")


def check_range(start: date, end: date) -> None:
    if start > end:
        raise InvalidArgument.on("start_date", "must not be after end_date")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise InvalidArgument.on("end_date", f"at most {MAX_RANGE_DAYS} days from start_date")


# --- margin summary -----------------------------------------------------------------------


@dataclass(frozen=True)
class MarginSummary:
    start: date
    end: date
    rows: list[SummaryRow]
    totals: SummaryRow
    unconverted: list[str]
    today: date


async def margin_summary(command: commands.GetMarginSummaryReport, uow: ForecastingUnitOfWork
                         ) -> MarginSummary:
    check_range(command.start_date, command.end_date)
    org = await uow.organizations.get()
    access.require_financials(uow.caller, org)
    start, end = command.start_date, command.end_date
    time = await uow.entries.sums_by_project(start, end)
    spent = await uow.expenses.sums_by_project(start, end)
    ids = sorted(set(time) | set(spent))
    projects = await uow.projects.many(ids) if ids else []
    if command.client_id is not None:
        projects = [p for p in projects if p.client_id == command.client_id]
    rows = [summary_row(p, time.get(p.id, WorkSums()) + spent.get(p.id, WorkSums()))
            for p in projects]
    rows.sort(key=lambda r: (r.name.casefold(), str(r.id)))
    converter = Converter.of(org)
    totals, unconverted = summary_totals(rows, converter)
    return MarginSummary(start, end, rows, totals, unconverted, today_in(org.timezone))


def margin_summary_table(report: MarginSummary) -> ReportTable:
    def line(r: SummaryRow) -> tuple:
        return (r.name, r.client_name, r.currency, r.hours, r.revenue, r.cost, r.margin_dollar,
                r.margin_percent)

    t = report.totals
    notes = ["Revenue is the value of the work dated in the range (rounded hours x billable "
             "rate of billable entries, plus billable expenses), whatever the budget type.",
             f"Totals in {t.currency}; other currencies converted at the organization's "
             "exchange rates."]
    if report.unconverted:
        notes.append("Left out of the money totals (no exchange rate): "
                     + ", ".join(report.unconverted) + ".")
    return ReportTable(
        title="Margin summary", name=f"margin-summary-{report.start}-{report.end}",
        subtitle=format_range(report.start, report.end), generated=report.today,
        columns=SUMMARY_COLUMNS,
        rows=[line(r) for r in report.rows],
        totals=("Total", "", t.currency, t.hours, t.revenue, t.cost, t.margin_dollar,
                t.margin_percent),
        currency=t.currency, notes=tuple(notes))


# --- resource utilization -----------------------------------------------------------------


@dataclass(frozen=True)
class Utilization:
    start: date
    end: date
    rows: list[UtilizationRow]
    today: date


async def resource_utilization(command: commands.GetResourceUtilizationReport,
                               uow: ForecastingUnitOfWork, *, available: Availability
                               ) -> Utilization:
    """`available`: capacity's available hours per resource in the range (asked first)."""
    require_staff(uow.caller)
    check_range(command.start_date, command.end_date)
    start, end = command.start_date, command.end_date
    org = await uow.organizations.get()
    rows = utilization_rows(
        await uow.resources.people(), available, await uow.entries.hours_by_person(start, end),
        await uow.allocations.confirmed_between(start, end), start, end)
    return Utilization(start, end, rows, today_in(org.timezone))


def utilization_table(report: Utilization) -> ReportTable:
    rows = report.rows
    available = sum((r.available_hours for r in rows), ZERO)
    total = UtilizationRow(
        uuid.UUID(int=0), "Total", available, sum((r.allocated_hours for r in rows), ZERO),
        sum((r.logged_hours for r in rows), ZERO), sum((r.billable_hours for r in rows), ZERO))
    return ReportTable(
        title="Resource utilization",
        name=f"resource-utilization-{report.start}-{report.end}",
        subtitle=format_range(report.start, report.end), generated=report.today,
        columns=UTILIZATION_COLUMNS,
        rows=[(r.name, r.available_hours, r.allocated_hours, r.logged_hours, r.billable_hours,
               r.utilization_percent, r.billable_utilization_percent) for r in rows],
        totals=("Total", total.available_hours, total.allocated_hours, total.logged_hours,
                total.billable_hours, total.utilization_percent,
                total.billable_utilization_percent),
        notes=("Available hours are capacity's (time off and holidays taken out); allocated "
               "hours count confirmed allocations, Monday to Friday.",))


# --- margin detail ------------------------------------------------------------------------


@dataclass(frozen=True)
class MarginDetail:
    project: Project
    entries: list[Entry]
    expenses: list[Expense]
    people: dict[uuid.UUID, str]
    today: date

    def person(self, entry: Entry) -> str:
        for key in (entry.resource_id, entry.user_id):
            if key is not None and key in self.people:
                return self.people[key]
        key = entry.resource_id or entry.user_id
        return f"(unknown {str(key)[:8]})" if key else ""


async def margin_detail(command: commands.GetMarginDetail, uow: ForecastingUnitOfWork
                        ) -> MarginDetail:
    access.require_cost_rates(uow.caller)
    org = await uow.organizations.get()
    project = await uow.projects.get(command.project_id)
    if project is None:
        raise NotFound("No margin for this project (yet).", reason="PROJECT_NOT_FOUND")
    people: dict[uuid.UUID, str] = {}
    for person in await uow.resources.people():
        people[person.id] = person.name
        if person.user_id is not None:
            people.setdefault(person.user_id, person.name)
    return MarginDetail(project, await uow.entries.of_project(project.id),
                        await uow.expenses.of_project(project.id), people,
                        today_in(org.timezone))


def entry_revenue(entry: Entry) -> Decimal:
    return money(entry.rounded_hours * entry.billable_rate if entry.billable else ZERO)


def entry_cost(entry: Entry) -> Decimal | None:
    return None if entry.cost_rate is None else money(entry.hours * entry.cost_rate)


def margin_detail_table(report: MarginDetail) -> ReportTable:
    rows: list[tuple] = []
    hours = rounded = revenue = cost = ZERO
    for e in report.entries:
        e_revenue, e_cost = entry_revenue(e), entry_cost(e)
        rows.append(("time", e.date_worked, report.person(e), e.hours, e.rounded_hours,
                     e.billable, e.billable_rate, e.cost_rate, e_revenue, e_cost, e.currency))
        hours, rounded = hours + e.hours, rounded + e.rounded_hours
        revenue, cost = revenue + e_revenue, cost + (e_cost or ZERO)
    for x in report.expenses:
        x_revenue = x.amount if x.billable else money(ZERO)
        rows.append(("expense", x.expense_date, "", None, None, x.billable, None, None,
                     x_revenue, x.amount, x.currency))
        revenue, cost = revenue + x_revenue, cost + x.amount
    rows.sort(key=lambda line: line[1])  # by date; a day's time before its expenses
    project = report.project
    notes = ["Revenue per line is the value of the work (rounded hours x billable rate of "
             "billable entries, billable expenses); a fixed-fee or retainer project's margin "
             "counts its fee instead.",
             "Cost is hours x cost rate, plus every expense; hours without a cost rate are "
             "uncosted (no cost yet)."]
    return ReportTable(
        title=f"Margin detail: {project.name}",
        name=f"margin-detail-{project.id}-{report.today}",
        subtitle=" · ".join(p for p in (project.client_name, project.currency) if p),
        generated=report.today,
        columns=DETAIL_COLUMNS,
        rows=rows,
        totals=("Total", "", "", hours, rounded, "", "", "", money(revenue), money(cost),
                project.currency),
        currency=project.currency, notes=tuple(notes))
