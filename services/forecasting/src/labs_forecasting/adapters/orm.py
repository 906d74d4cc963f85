"""Forecasting's read model as SQLAlchemy Core tables (the migrations create them explicitly):
what it heard of projects, time entries, expenses, people and their rates, allocations, invoices
and organizations, each row as of the event it came from; the running totals per project and
one margin per project per day."""

from __future__ import annotations

from sqlalchemy import Column, MetaData, Table

from labs_common.db import columns as col
from labs_common.db.tables import tenant_table

metadata = MetaData()

# Amounts and hours here are sums over a project's life: wider than the sources' own columns.
MONEY_DIGITS = 16
HOURS_DIGITS = 12


def _as_of() -> Column:
    return col.timestamp("as_of", nullable=False)


projects = tenant_table(
    "projects",
    metadata,
    col.text("name", nullable=False),
    col.uuid("client_id"),
    col.text("client_name", nullable=False),
    col.text("status", nullable=False),
    col.text("budget_type", nullable=False),
    col.money("budget_total", digits=MONEY_DIGITS),
    col.hours("budget_hours", digits=HOURS_DIGITS),
    col.currency(nullable=False),
    col.day("start_date"),
    col.day("end_date"),
    _as_of(),
)

entries = tenant_table(
    "entries",
    metadata,
    col.uuid("project_id", nullable=False),
    col.uuid("user_id"),
    col.uuid("resource_id"),
    col.day("date_worked", nullable=False),
    col.hours("hours", digits=HOURS_DIGITS, nullable=False),
    col.hours("rounded_hours", digits=HOURS_DIGITS, nullable=False),
    col.flag("billable", nullable=False),
    col.rate("billable_rate", nullable=False),
    col.rate("cost_rate"),
    col.currency(nullable=False),
    # Deleted (or a timer still running): kept so an older event cannot bring it back.
    col.flag("counted", nullable=False),
    _as_of(),
)

expenses = tenant_table(
    "expenses",
    metadata,
    col.uuid("project_id", nullable=False),
    col.money("amount", digits=MONEY_DIGITS, nullable=False),
    col.currency(nullable=False),
    col.flag("billable", nullable=False),
    col.day("expense_date", nullable=False),
    col.flag("counted", nullable=False),
    _as_of(),
)

project_totals = Table(
    "project_totals",
    metadata,
    col.uuid("org_id", nullable=False),
    col.uuid("project_id", primary_key=True),
    col.hours("hours_logged", digits=HOURS_DIGITS, nullable=False),
    col.hours("billable_hours", digits=HOURS_DIGITS, nullable=False),
    col.hours("uncosted_hours", digits=HOURS_DIGITS, nullable=False),
    col.decimal("labor_cost", 18, 4, nullable=False),
    col.decimal("time_revenue", 18, 4, nullable=False),
    col.money("expense_cost", digits=MONEY_DIGITS, nullable=False),
    col.money("billable_expenses", digits=MONEY_DIGITS, nullable=False),
    col.updated_at(nullable=False),
)

daily_margins = Table(
    "daily_margins",
    metadata,
    col.uuid("org_id", nullable=False),
    col.uuid("project_id", primary_key=True),
    col.day("day", primary_key=True),
    col.money("revenue", digits=MONEY_DIGITS, nullable=False),
    col.money("cost", digits=MONEY_DIGITS, nullable=False),
    col.money("margin_dollar", digits=MONEY_DIGITS, nullable=False),
    col.decimal("margin_percent", 9, 2),
)

resources = tenant_table(
    "resources",
    metadata,
    col.text("name", nullable=False),
    col.uuid("user_id"),
    col.text("seniority_level", nullable=False),
    col.hours("capacity_hours_per_week", digits=HOURS_DIGITS, nullable=False),
    col.flag("active", nullable=False),
    _as_of(),
)

resource_rates = Table(
    "resource_rates",
    metadata,
    col.uuid("org_id", nullable=False),
    col.uuid("resource_id", primary_key=True),
    col.day("effective_from", primary_key=True),
    col.rate("billing_rate", nullable=False),
    col.rate("cost_rate"),
    col.currency(nullable=False),
)

allocations = tenant_table(
    "allocations",
    metadata,
    col.uuid("project_id", nullable=False),
    col.uuid("resource_id", nullable=False),
    col.hours("allocated_hours", digits=HOURS_DIGITS, nullable=False),
    col.day("start_date", nullable=False),
    col.day("end_date", nullable=False),
    col.flag("tentative", nullable=False),
    col.rate("billing_rate"),
    col.rate("cost_rate"),
    col.currency(),
    col.flag("counted", nullable=False),
    _as_of(),
)

invoices = tenant_table(
    "invoices",
    metadata,
    col.uuid("project_id"),
    col.uuid("client_id"),
    col.text("status", nullable=False),
    col.currency(nullable=False),
    col.money("total", digits=MONEY_DIGITS, nullable=False),
    col.money("amount_paid", digits=MONEY_DIGITS, nullable=False),
    col.day("issue_date"),
    col.day("due_date"),
    _as_of(),
)

organizations = Table(
    "organizations",
    metadata,
    col.uuid("id", primary_key=True),
    col.currency(nullable=False),
    col.text("timezone", nullable=False),
    col.jsonb("exchange_rates", nullable=False),
    col.text("financials_visible_to", nullable=False),
    _as_of(),
)

# Part 2: forecasts, alerts and who receives them.

forecasts = Table(
    "forecasts",
    metadata,
    col.uuid("org_id", nullable=False),
    col.uuid("project_id", primary_key=True),
    _as_of(),
    col.decimal("forecast_margin", 9, 2),
    col.money("forecast_margin_dollar", digits=MONEY_DIGITS),
    col.decimal("forecast_low", 9, 2),
    col.decimal("forecast_high", 9, 2),
    col.decimal("forecast_confidence", 5, 0, nullable=False),
    col.money("estimate_at_completion", digits=MONEY_DIGITS),
    col.hours("hours_at_completion", digits=HOURS_DIGITS),
    col.text("method", nullable=False),
    col.decimal("risk_score", 3, 0, nullable=False),
    col.jsonb("risk_factors", nullable=False),
    col.text("recommendation", nullable=False),
    col.jsonb("recommendations", nullable=False),
    col.currency(nullable=False),
    # Model state worth keeping between refreshes (fitted parameters, calibration), as JSON.
    col.jsonb("model", nullable=False),
)

# Who is in the organization (from identity's member events): alerts' recipients and addresses.
members = Table(
    "members",
    metadata,
    col.uuid("org_id", nullable=False),
    col.uuid("user_id", primary_key=True),
    col.text("email", nullable=False),
    col.text("name", nullable=False),
    col.text("role", nullable=False),
    col.flag("active", nullable=False),
    # The user's notification_preferences (profile), e.g. {"email": false}.
    col.jsonb("preferences", nullable=False),
    _as_of(),
)

alert_subscriptions = tenant_table(
    "alert_subscriptions",
    metadata,
    col.uuid("user_id", nullable=False),
    col.text("alert_type", nullable=False),
    col.text("delivery_method", nullable=False),
    col.decimal("threshold_value", 9, 2),
    col.uuid("project_id"),
    col.flag("enabled", nullable=False),
    col.created_at(nullable=False),
)

alerts = tenant_table(
    "alerts",
    metadata,
    col.uuid("user_id", nullable=False),
    col.text("type", nullable=False),
    col.text("severity", nullable=False),
    col.text("message", nullable=False),
    col.uuid("project_id"),
    col.uuid("resource_id"),
    col.uuid("invoice_id"),
    col.jsonb("data", nullable=False),
    col.flag("is_read", nullable=False),
    col.text("action_taken", nullable=False),
    col.created_at(nullable=False),
)

# The last state each rule judged each subject in, per subscription: an alert is raised when the
# state changes (warning, critical, a budget step), not on every event while it stays.
alert_states = Table(
    "alert_states",
    metadata,
    col.uuid("org_id", nullable=False),
    col.uuid("subscription_id", primary_key=True),
    col.uuid("subject_id", primary_key=True),
    col.text("state", nullable=False),
    col.updated_at(nullable=False),
)
