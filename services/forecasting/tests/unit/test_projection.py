"""The read model moved by events, in memory: entries created, updated, moved between projects
and deleted; an older event and a redelivered one change nothing; a cost rate arriving later
costs the uncosted hours; every change announces project.margin_updated. The consumers are
driven with real envelopes, so their decoding is covered too."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from forecasting_fakes import FakeForecastingUnitOfWork

from labs.billing.v1 import billing_service_pb2 as billing_pb
from labs.billing.v1 import events_pb2 as billing_events
from labs.capacity.v1 import capacity_service_pb2 as capacity_pb
from labs.capacity.v1 import events_pb2 as capacity_events
from labs.events.v1 import envelope_pb2
from labs.projects.v1 import events_pb2 as projects_events
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs.time.v1 import events_pb2 as time_events
from labs.time.v1 import time_service_pb2 as time_pb
from labs_common.db.uow import Scope
from labs_forecasting.domain.model import Totals
from labs_forecasting.entrypoints import consumers

D = Decimal
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WORKED = "2026-03-02"


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def uow() -> FakeForecastingUnitOfWork:
    return FakeForecastingUnitOfWork(Scope(org_id=uuid.uuid4()))


def envelope(uow, event_type: str, payload, when: datetime, project_id="") -> envelope_pb2.Envelope:
    found = envelope_pb2.Envelope(id=str(uuid.uuid4()), type=event_type,
                                  source=event_type.split(".")[0], org_id=str(uow.scope.org_id),
                                  project_id=str(project_id))
    found.occurred_at.FromDatetime(when)
    found.payload.Pack(payload)
    return found


async def project(uow, when=T0, **fields) -> uuid.UUID:
    values = {"id": str(uuid.uuid4()), "name": "Relaunch", "client_name": "Acme",
              "budget_type": projects_pb.BUDGET_TYPE_TIME_AND_MATERIALS,
              "budget_total": "10000.00", "budget_currency": "USD",
              "status": projects_pb.PROJECT_STATUS_ACTIVE}
    values.update(fields)
    payload = projects_events.ProjectCreated(project=projects_pb.Project(**values))
    await consumers.on_project(envelope(uow, "project.created", payload, when), uow)
    return uuid.UUID(values["id"])


def entry_event(entry_id, project_id, hours="2.00", *, rounded=None, billable=True,
                rate="150.00", cost="60.00", resource_id="", user_id="",
                running=False) -> time_events.EntryChanged:
    return time_events.EntryChanged(
        entry_id=str(entry_id), project_id=str(project_id), user_id=str(user_id),
        date_worked=WORKED, hours="" if running else hours,
        rounded_hours="" if running else (rounded or hours), billable=billable,
        billable_rate=rate, cost_rate=cost or "", currency="USD", is_running=running,
        entry=time_pb.TimeEntry(id=str(entry_id), project_id=str(project_id),
                                resource_id=str(resource_id)))


async def heard(uow, event_type, payload, when, project_id=""):
    handler = {"entry": consumers.on_entry, "expense": consumers.on_expense,
               "resource": consumers.on_resource}[event_type.split(".")[0]]
    await handler(envelope(uow, event_type, payload, when, project_id), uow)


def margins(uow) -> list:
    return [m.margin for m in uow.outbox.of_type("project.margin_updated")]


async def test_a_project_heard_is_announced_with_its_empty_margin():
    work = uow()
    project_id = await project(work)
    (margin,) = margins(work)
    assert (margin.project_id, margin.revenue, margin.cost) == (str(project_id), "0.00", "0.00")
    assert margin.margin_percent == ""  # null: no revenue yet
    assert margin.budget == "10000.00" and margin.currency == "USD"
    assert uow_totals(work, project_id) == Totals()


def uow_totals(uow, project_id) -> Totals:
    return uow.totals.rows[project_id]


async def test_an_entry_created_counts_and_announces_the_margin():
    work = uow()
    project_id = await project(work)
    entry_id = uuid.uuid4()
    await heard(work, "entry.created", entry_event(entry_id, project_id, "2.00", rounded="2.25"),
                at(1), project_id)
    totals = uow_totals(work, project_id)
    assert (totals.hours_logged, totals.billable_hours) == (D("2.00"), D("2.25"))
    assert (totals.labor_cost, totals.time_revenue) == (D("120.00"), D("337.5000"))
    last = margins(work)[-1]
    assert (last.revenue, last.labor_cost, last.cost, last.margin_dollar) == (
        "337.50", "120.00", "120.00", "217.50")
    assert last.margin_percent == "64.44"
    assert last.budget_used_percent == "3.38"
    assert work.outbox.events[-1].project_id == str(project_id)
    (daily,) = work.daily.rows.values()
    assert daily.margin_dollar == D("217.50")


async def test_an_update_replaces_the_entrys_contribution():
    work = uow()
    project_id = await project(work)
    entry_id = uuid.uuid4()
    await heard(work, "entry.created", entry_event(entry_id, project_id, "2.00"), at(1))
    await heard(work, "entry.updated", entry_event(entry_id, project_id, "3.00", billable=False),
                at(2))
    totals = uow_totals(work, project_id)
    assert (totals.hours_logged, totals.billable_hours, totals.time_revenue) == (
        D("3.00"), D("0"), D("0"))
    assert totals.labor_cost == D("180.00")
    assert margins(work)[-1].cost == "180.00"


async def test_an_entry_moved_to_another_project_leaves_the_first_and_both_are_announced():
    work = uow()
    first, second = await project(work), await project(work)
    entry_id = uuid.uuid4()
    await heard(work, "entry.created", entry_event(entry_id, first, "2.00"), at(1))
    before = len(margins(work))
    await heard(work, "entry.updated", entry_event(entry_id, second, "2.00"), at(2))
    assert uow_totals(work, first) == Totals()
    assert uow_totals(work, second).hours_logged == D("2.00")
    announced = {m.project_id: m for m in margins(work)[before:]}
    assert set(announced) == {str(first), str(second)}
    assert announced[str(first)].hours_logged == "0.00"
    assert announced[str(second)].cost == "120.00"


async def test_a_deleted_entry_counts_nothing_and_its_older_events_stay_out():
    work = uow()
    project_id = await project(work)
    entry_id = uuid.uuid4()
    await heard(work, "entry.created", entry_event(entry_id, project_id, "2.00"), at(1))
    await heard(work, "entry.deleted", entry_event(entry_id, project_id, "2.00"), at(3))
    assert uow_totals(work, project_id) == Totals()
    assert margins(work)[-1].hours_logged == "0.00"
    # An update from before the deletion, arriving late, does not bring it back.
    await heard(work, "entry.updated", entry_event(entry_id, project_id, "5.00"), at(2))
    assert uow_totals(work, project_id) == Totals()


async def test_an_entry_deleted_before_it_was_heard_of_leaves_a_tombstone():
    work = uow()
    project_id = await project(work)
    entry_id = uuid.uuid4()
    await heard(work, "entry.deleted", entry_event(entry_id, project_id, "2.00"), at(3))
    await heard(work, "entry.created", entry_event(entry_id, project_id, "2.00"), at(1))
    assert uow_totals(work, project_id) == Totals()
    assert not work.entries.rows[entry_id].counted


async def test_an_older_event_changes_nothing():
    work = uow()
    project_id = await project(work)
    entry_id = uuid.uuid4()
    await heard(work, "entry.updated", entry_event(entry_id, project_id, "4.00"), at(2))
    announced = len(margins(work))
    await heard(work, "entry.created", entry_event(entry_id, project_id, "1.00"), at(1))
    assert uow_totals(work, project_id).hours_logged == D("4.00")
    assert len(margins(work)) == announced  # nothing changed, nothing announced


async def test_a_redelivered_event_changes_nothing():
    work = uow()
    project_id = await project(work)
    entry_id = uuid.uuid4()
    event = envelope(work, "entry.created", entry_event(entry_id, project_id, "2.00"), at(1))
    await consumers.on_entry(event, work)
    announced = len(margins(work))
    await consumers.on_entry(event, work)
    assert uow_totals(work, project_id).hours_logged == D("2.00")
    assert len(margins(work)) == announced


async def test_a_running_timer_counts_nothing_until_it_stops():
    work = uow()
    project_id = await project(work)
    entry_id = uuid.uuid4()
    await heard(work, "entry.started", entry_event(entry_id, project_id, running=True), at(1))
    assert uow_totals(work, project_id) == Totals()
    await heard(work, "entry.stopped", entry_event(entry_id, project_id, "0.50"), at(2))
    assert uow_totals(work, project_id).hours_logged == D("0.50")


async def test_a_cost_rate_arriving_later_costs_the_uncosted_hours():
    work = uow()
    project_id = await project(work)
    resource_id = uuid.uuid4()
    for second, hours in ((1, "2.00"), (2, "3.00")):
        await heard(work, "entry.created", entry_event(uuid.uuid4(), project_id, hours, cost="",
                                                       resource_id=resource_id), at(second))
    assert uow_totals(work, project_id).uncosted_hours == D("5.00")
    assert margins(work)[-1].uncosted_hours == "5.00"
    assert margins(work)[-1].labor_cost == "0.00"
    rates = capacity_events.ResourceRatesChanged(
        resource_id=str(resource_id),
        rate=capacity_pb.Rate(billing_rate="150.00", cost_rate="70.00", currency="USD"))
    await heard(work, "resource.rates_changed", rates, at(3))
    totals = uow_totals(work, project_id)
    assert (totals.uncosted_hours, totals.labor_cost) == (D("0"), D("350.00"))
    last = margins(work)[-1]
    assert (last.uncosted_hours, last.labor_cost) == ("0.00", "350.00")
    # A second rate does not re-cost hours that have one now.
    rates.rate.cost_rate = "90.00"
    await heard(work, "resource.rates_changed", rates, at(4))
    assert uow_totals(work, project_id).labor_cost == D("350.00")


async def test_a_cost_rate_from_a_date_costs_only_the_hours_worked_since():
    work = uow()
    project_id = await project(work)
    resource_id = uuid.uuid4()
    await heard(work, "entry.created", entry_event(uuid.uuid4(), project_id, "2.00", cost="",
                                                   resource_id=resource_id), at(1))
    rates = capacity_events.ResourceRatesChanged(
        resource_id=str(resource_id),
        rate=capacity_pb.Rate(effective_from="2026-03-03", cost_rate="70.00", currency="USD"))
    await heard(work, "resource.rates_changed", rates, at(2))
    assert uow_totals(work, project_id).uncosted_hours == D("2.00")


async def test_entries_heard_before_their_project_count_once_it_arrives():
    work = uow()
    project_id = uuid.uuid4()
    await heard(work, "entry.created", entry_event(uuid.uuid4(), project_id, "2.00"), at(1))
    assert margins(work) == []  # nothing to announce without the project
    await project(work, at(2), id=str(project_id))
    assert margins(work)[-1].cost == "120.00"


async def test_an_older_project_event_does_not_overwrite_a_newer_budget():
    work = uow()
    project_id = await project(work, at(5), budget_total="5000.00")
    await project(work, at(1), id=str(project_id), budget_total="1.00")
    assert (await work.projects.get(project_id)).budget_total == D("5000.00")


async def test_expenses_recorded_updated_and_deleted():
    work = uow()
    project_id = await project(work)
    expense_id = uuid.uuid4()

    def expense(amount: str, billable: bool) -> time_events.ExpenseChanged:
        return time_events.ExpenseChanged(expense_id=str(expense_id), project_id=str(project_id),
                                          amount=amount, currency="USD", billable=billable,
                                          expense_date=WORKED)

    await heard(work, "expense.recorded", expense("100.00", True), at(1))
    assert margins(work)[-1].revenue == "100.00"
    assert margins(work)[-1].expense_cost == "100.00"
    await heard(work, "expense.updated", expense("40.00", False), at(2))
    totals = uow_totals(work, project_id)
    assert (totals.expense_cost, totals.billable_expenses) == (D("40.00"), D("0"))
    await heard(work, "expense.deleted", expense("40.00", False), at(3))
    assert uow_totals(work, project_id) == Totals()
    await heard(work, "expense.updated", expense("70.00", True), at(2))
    assert uow_totals(work, project_id) == Totals()


async def test_imported_entries_count_like_created_ones():
    work = uow()
    project_id = await project(work)
    ids = [uuid.uuid4(), uuid.uuid4()]
    imported = time_events.EntriesImported(
        job_id=str(uuid.uuid4()), source="harvest", entry_ids=[str(i) for i in ids],
        project_ids=[str(project_id)] * 2, user_ids=["", ""], dates_worked=[WORKED] * 2,
        hours=["1.00", "2.00"], rounded_hours=["1.00", "2.00"], billable=[True, False],
        billable_rates=["100.00", "100.00"], cost_rates=["50.00", ""],
        currencies=["USD", "USD"], rate_sources=["resource", "none"], resource_ids=["", ""],
        statuses=["draft", "approved"])
    await heard(work, "entry.imported", imported, at(1))
    totals = uow_totals(work, project_id)
    assert (totals.hours_logged, totals.billable_hours, totals.uncosted_hours) == (
        D("3.00"), D("1.00"), D("2.00"))
    assert (totals.labor_cost, totals.time_revenue) == (D("50.00"), D("100.00"))
    assert margins(work)[-1].hours_logged == "3.00"


async def test_a_deleted_invoice_is_kept_as_deleted():
    work = uow()
    invoice_id = str(uuid.uuid4())
    issued = billing_events.InvoiceChanged(invoice=billing_pb.Invoice(
        id=invoice_id, status=billing_pb.INVOICE_STATUS_DRAFT, currency="USD", total="500.00"))
    await consumers.on_invoice(envelope(work, "invoice.drafted", issued, at(1)), work)
    deleted = billing_events.InvoiceDeleted(invoice_id=invoice_id)
    await consumers.on_invoice(envelope(work, "invoice.deleted", deleted, at(2)), work)
    row = work.invoices.rows[uuid.UUID(invoice_id)]
    assert (row.status, row.total) == ("deleted", D("500.00"))
