"""Forecasting's read model as SQLAlchemy Core tables (the migrations create them explicitly):
what it heard of projects, time entries, expenses, people and their rates, allocations, invoices
and organizations, each row as of the event it came from; the running totals per project and
one margin per project per day."""

from __future__ import annotations

from sqlalchemy import (
    CHAR,
    Boolean,
    Column,
    Date,
    DateTime,
    MetaData,
    Numeric,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from labs_common.db.tables import tenant_table

metadata = MetaData()

MONEY = Numeric(16, 2)
HOURS = Numeric(12, 2)
RATE = Numeric(12, 2)


def _as_of() -> Column:
    return Column("as_of", DateTime(timezone=True), nullable=False)


projects = tenant_table(
    "projects", metadata,
    Column("name", Text, nullable=False),
    Column("client_id", UUID(as_uuid=True)),
    Column("client_name", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("budget_type", Text, nullable=False),
    Column("budget_total", MONEY),
    Column("budget_hours", HOURS),
    Column("currency", CHAR(3), nullable=False),
    Column("start_date", Date),
    Column("end_date", Date),
    _as_of(),
)

entries = tenant_table(
    "entries", metadata,
    Column("project_id", UUID(as_uuid=True), nullable=False),
    Column("user_id", UUID(as_uuid=True)),
    Column("resource_id", UUID(as_uuid=True)),
    Column("date_worked", Date, nullable=False),
    Column("hours", HOURS, nullable=False),
    Column("rounded_hours", HOURS, nullable=False),
    Column("billable", Boolean, nullable=False),
    Column("billable_rate", RATE, nullable=False),
    Column("cost_rate", RATE),
    Column("currency", CHAR(3), nullable=False),
    # Deleted (or a timer still running): kept so an older event cannot bring it back.
    Column("counted", Boolean, nullable=False),
    _as_of(),
)

expenses = tenant_table(
    "expenses", metadata,
    Column("project_id", UUID(as_uuid=True), nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("currency", CHAR(3), nullable=False),
    Column("billable", Boolean, nullable=False),
    Column("expense_date", Date, nullable=False),
    Column("counted", Boolean, nullable=False),
    _as_of(),
)

project_totals = Table(
    "project_totals", metadata,
    Column("org_id", UUID(as_uuid=True), nullable=False),
    Column("project_id", UUID(as_uuid=True), primary_key=True),
    Column("hours_logged", HOURS, nullable=False),
    Column("billable_hours", HOURS, nullable=False),
    Column("uncosted_hours", HOURS, nullable=False),
    Column("labor_cost", Numeric(18, 4), nullable=False),
    Column("time_revenue", Numeric(18, 4), nullable=False),
    Column("expense_cost", MONEY, nullable=False),
    Column("billable_expenses", MONEY, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

daily_margins = Table(
    "daily_margins", metadata,
    Column("org_id", UUID(as_uuid=True), nullable=False),
    Column("project_id", UUID(as_uuid=True), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("revenue", MONEY, nullable=False),
    Column("cost", MONEY, nullable=False),
    Column("margin_dollar", MONEY, nullable=False),
    Column("margin_percent", Numeric(9, 2)),
)

resources = tenant_table(
    "resources", metadata,
    Column("name", Text, nullable=False),
    Column("user_id", UUID(as_uuid=True)),
    Column("seniority_level", Text, nullable=False),
    Column("capacity_hours_per_week", HOURS, nullable=False),
    Column("active", Boolean, nullable=False),
    _as_of(),
)

resource_rates = Table(
    "resource_rates", metadata,
    Column("org_id", UUID(as_uuid=True), nullable=False),
    Column("resource_id", UUID(as_uuid=True), primary_key=True),
    Column("effective_from", Date, primary_key=True),
    Column("billing_rate", RATE, nullable=False),
    Column("cost_rate", RATE),
    Column("currency", CHAR(3), nullable=False),
)

allocations = tenant_table(
    "allocations", metadata,
    Column("project_id", UUID(as_uuid=True), nullable=False),
    Column("resource_id", UUID(as_uuid=True), nullable=False),
    Column("allocated_hours", HOURS, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("tentative", Boolean, nullable=False),
    Column("billing_rate", RATE),
    Column("cost_rate", RATE),
    Column("currency", CHAR(3)),
    Column("counted", Boolean, nullable=False),
    _as_of(),
)

invoices = tenant_table(
    "invoices", metadata,
    Column("project_id", UUID(as_uuid=True)),
    Column("client_id", UUID(as_uuid=True)),
    Column("status", Text, nullable=False),
    Column("currency", CHAR(3), nullable=False),
    Column("total", MONEY, nullable=False),
    Column("amount_paid", MONEY, nullable=False),
    Column("issue_date", Date),
    Column("due_date", Date),
    _as_of(),
)

organizations = Table(
    "organizations", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("currency", CHAR(3), nullable=False),
    Column("timezone", Text, nullable=False),
    Column("exchange_rates", JSONB, nullable=False),
    Column("financials_visible_to", Text, nullable=False),
    _as_of(),
)
