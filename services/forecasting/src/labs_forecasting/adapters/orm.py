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

# Part 2: forecasts, alerts and who receives them.

forecasts = Table(
    "forecasts", metadata,
    Column("org_id", UUID(as_uuid=True), nullable=False),
    Column("project_id", UUID(as_uuid=True), primary_key=True),
    Column("as_of", DateTime(timezone=True), nullable=False),
    Column("forecast_margin", Numeric(9, 2)),
    Column("forecast_margin_dollar", MONEY),
    Column("forecast_low", Numeric(9, 2)),
    Column("forecast_high", Numeric(9, 2)),
    Column("forecast_confidence", Numeric(5, 0), nullable=False),
    Column("estimate_at_completion", MONEY),
    Column("hours_at_completion", HOURS),
    Column("method", Text, nullable=False),
    Column("risk_score", Numeric(3, 0), nullable=False),
    Column("risk_factors", JSONB, nullable=False),
    Column("recommendation", Text, nullable=False),
    Column("recommendations", JSONB, nullable=False),
    Column("currency", CHAR(3), nullable=False),
    # Model state worth keeping between refreshes (fitted parameters, calibration), as JSON.
    Column("model", JSONB, nullable=False),
)

# Who is in the organization (from identity's member events): alerts' recipients and addresses.
members = Table(
    "members", metadata,
    Column("org_id", UUID(as_uuid=True), nullable=False),
    Column("user_id", UUID(as_uuid=True), primary_key=True),
    Column("email", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    # The user's notification_preferences (profile), e.g. {"email": false}.
    Column("preferences", JSONB, nullable=False),
    _as_of(),
)

alert_subscriptions = tenant_table(
    "alert_subscriptions", metadata,
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("alert_type", Text, nullable=False),
    Column("delivery_method", Text, nullable=False),
    Column("threshold_value", Numeric(9, 2)),
    Column("project_id", UUID(as_uuid=True)),
    Column("enabled", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

alerts = tenant_table(
    "alerts", metadata,
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("type", Text, nullable=False),
    Column("severity", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("project_id", UUID(as_uuid=True)),
    Column("resource_id", UUID(as_uuid=True)),
    Column("invoice_id", UUID(as_uuid=True)),
    Column("data", JSONB, nullable=False),
    Column("is_read", Boolean, nullable=False),
    Column("action_taken", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# The last state each rule judged each subject in, per subscription: an alert is raised when the
# state changes (warning, critical, a budget step), not on every event while it stays.
alert_states = Table(
    "alert_states", metadata,
    Column("org_id", UUID(as_uuid=True), nullable=False),
    Column("subscription_id", UUID(as_uuid=True), primary_key=True),
    Column("subject_id", UUID(as_uuid=True), primary_key=True),
    Column("state", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
