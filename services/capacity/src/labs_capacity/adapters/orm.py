"""Capacity's tables as SQLAlchemy Core (the migrations create them explicitly)."""

from __future__ import annotations

from sqlalchemy import MetaData, SmallInteger, Table, Text

from labs_common.db import columns as col
from labs_common.db.tables import tenant_table

metadata = MetaData()

resources = tenant_table(
    "resources",
    metadata,
    col.text("name", nullable=False),
    col.text("email"),
    col.uuid("user_id"),
    col.text("seniority_level", nullable=False),
    col.hours("capacity_hours_per_week", digits=5, nullable=False),
    col.list_of("working_days", SmallInteger, nullable=False),
    col.list_of("skills", Text, nullable=False),
    col.flag("is_placeholder", nullable=False),
    col.created_at(nullable=False),
    col.updated_at(nullable=False),
    col.day("end_date"),  # NULL while the resource stays
)

resource_rates = Table(
    "resource_rates",
    metadata,
    col.uuid("org_id", nullable=False),
    col.uuid("resource_id", primary_key=True),
    col.day("effective_from", primary_key=True),
    col.rate("billing_rate", nullable=False),
    col.rate("cost_rate"),  # NULL: not known yet (uncosted hours)
    col.currency(nullable=False),
    col.created_at(),
)

time_off = tenant_table(
    "time_off",
    metadata,
    col.uuid("resource_id", nullable=False),
    col.day("start_date", nullable=False),
    col.day("end_date", nullable=False),
    col.hours("hours_per_day", digits=4),
    col.text("reason", nullable=False),
    col.created_at(),
)

holidays = tenant_table(
    "holidays",
    metadata,
    col.day("date", nullable=False),
    col.text("name", nullable=False),
    col.created_at(),
)

allocations = tenant_table(
    "allocations",
    metadata,
    col.uuid("resource_id", nullable=False),
    col.uuid("project_id", nullable=False),
    col.hours("allocated_hours", digits=5, nullable=False),
    col.day("start_date", nullable=False),
    col.day("end_date", nullable=False),
    col.flag("tentative", nullable=False),
    col.created_at(nullable=False),
    col.updated_at(nullable=False),
)

over_allocations = Table(
    "over_allocations",
    metadata,
    col.uuid("org_id", nullable=False),
    col.uuid("resource_id", primary_key=True),
    col.day("week_start", primary_key=True),
    col.hours("available_hours", digits=7, nullable=False),
    col.hours("allocated_hours", digits=7, nullable=False),
)

# What capacity has heard of each project's status (projects' events): archived ones don't count.
project_states = Table(
    "project_states",
    metadata,
    col.uuid("project_id", primary_key=True),
    col.uuid("org_id", nullable=False),
    col.text("status", nullable=False),
    col.flag("archived", nullable=False),
    col.timestamp("as_of", nullable=False),
)
