"""Forecasting's read model on real PostgreSQL and NATS: projects', time's and capacity's
envelopes published on their streams, GetProjectMargin polled (with a deadline) until it shows
what API.md says the margin is."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from forecasting_helpers import publish, signup, until_margin

from labs.capacity.v1 import capacity_service_pb2 as capacity_pb
from labs.capacity.v1 import events_pb2 as capacity_events
from labs.projects.v1 import events_pb2 as projects_events
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs.time.v1 import events_pb2 as time_events
from labs.time.v1 import time_service_pb2 as time_pb

pytestmark = pytest.mark.integration

WORKED = "2026-03-02"


def entry(entry_id, project_id, hours, *, rounded=None, cost="60.00", resource_id=""):
    return time_events.EntryChanged(
        entry_id=str(entry_id), project_id=str(project_id), date_worked=WORKED, hours=hours,
        rounded_hours=rounded or hours, billable=True, billable_rate="150.00",
        cost_rate=cost, currency="USD",
        entry=time_pb.TimeEntry(id=str(entry_id), project_id=str(project_id),
                                resource_id=str(resource_id)))


async def a_project(js, org: str, **fields) -> str:
    values = {"id": str(uuid.uuid4()), "name": "Relaunch", "client_name": "Acme",
              "budget_type": projects_pb.BUDGET_TYPE_TIME_AND_MATERIALS,
              "budget_total": "10000.00", "budget_currency": "USD",
              "status": projects_pb.PROJECT_STATUS_ACTIVE}
    values.update(fields)
    await publish(js, "projects", org, "project.created",
                  projects_events.ProjectCreated(project=projects_pb.Project(**values)))
    return values["id"]


async def test_entries_expenses_and_a_late_cost_rate_make_the_margin(
        forecasting, forecasting_js, identity_stub, stub):
    owner = await signup(identity_stub)
    org = owner.organization.id
    project_id = await a_project(forecasting_js, org)
    await until_margin(stub, owner, project_id, revenue="0.00", margin_percent="")

    kept, gone = uuid.uuid4(), uuid.uuid4()
    resource_id = uuid.uuid4()
    await publish(forecasting_js, "time", org, "entry.created",
                  entry(kept, project_id, "2.00", rounded="2.25"), project_id=project_id)
    await publish(forecasting_js, "time", org, "entry.created",
                  entry(gone, project_id, "1.00"), project_id=project_id)
    await publish(forecasting_js, "time", org, "entry.created",
                  entry(uuid.uuid4(), project_id, "3.00", cost="", resource_id=resource_id),
                  project_id=project_id)
    await publish(forecasting_js, "time", org, "expense.recorded", time_events.ExpenseChanged(
        expense_id=str(uuid.uuid4()), project_id=project_id, amount="50.00", currency="USD",
        billable=True, expense_date=WORKED), project_id=project_id)
    # 2.25 + 1 + 3 billable hours at 150 + 50 of expenses; 3 h at 60 plus 50; 3 h uncosted.
    await until_margin(stub, owner, project_id, revenue="987.50", cost="230.00",
                       uncosted_hours="3.00", hours_logged="6.00")

    await publish(forecasting_js, "time", org, "entry.deleted",
                  entry(gone, project_id, "1.00"), project_id=project_id)
    await until_margin(stub, owner, project_id, revenue="837.50", cost="170.00",
                       hours_logged="5.00")

    await publish(forecasting_js, "capacity", org, "resource.rates_changed",
                  capacity_events.ResourceRatesChanged(
                      resource_id=str(resource_id),
                      rate=capacity_pb.Rate(billing_rate="150.00", cost_rate="80.00",
                                            currency="USD")))
    margin = await until_margin(stub, owner, project_id, cost="410.00", uncosted_hours="0.00")
    assert (margin.labor_cost, margin.expense_cost) == ("360.00", "50.00")
    assert margin.margin_dollar == "427.50"
    assert margin.margin_percent == "51.04"
    assert margin.budget_used_percent == "8.38"


async def test_two_events_of_one_entry_in_reverse_order_end_as_the_newer_says(
        forecasting, forecasting_js, identity_stub, stub):
    owner = await signup(identity_stub)
    org = owner.organization.id
    first, second = await a_project(forecasting_js, org), await a_project(forecasting_js, org)
    entry_id = uuid.uuid4()
    now = datetime.now(UTC)
    # The update (moved to the second project, 4 h) travels first; its older creation after.
    await publish(forecasting_js, "time", org, "entry.updated",
                  entry(entry_id, second, "4.00"), occurred_at=now, project_id=second)
    await publish(forecasting_js, "time", org, "entry.created",
                  entry(entry_id, first, "1.00"), occurred_at=now - timedelta(seconds=5),
                  project_id=first)
    # A marker after both on the same durable: once it counts, both were handled.
    marker = uuid.uuid4()
    await publish(forecasting_js, "time", org, "entry.created", entry(marker, first, "0.50"),
                  project_id=first)
    await until_margin(stub, owner, first, hours_logged="0.50")
    await until_margin(stub, owner, second, hours_logged="4.00", cost="240.00")


async def test_a_fixed_fee_project_earns_its_budget(forecasting, forecasting_js, identity_stub,
                                                    stub):
    owner = await signup(identity_stub)
    org = owner.organization.id
    project_id = await a_project(forecasting_js, org,
                                 budget_type=projects_pb.BUDGET_TYPE_FIXED_FEE,
                                 budget_total="2000.00")
    await publish(forecasting_js, "time", org, "entry.created",
                  entry(uuid.uuid4(), project_id, "5.00"), project_id=project_id)
    margin = await until_margin(stub, owner, project_id, revenue="2000.00", cost="300.00")
    assert (margin.margin_percent, margin.budget_used_percent) == ("85.00", "15.00")
