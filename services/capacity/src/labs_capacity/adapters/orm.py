"""Capacity's tables as SQLAlchemy Core (the migrations create them explicitly)."""

from __future__ import annotations

from sqlalchemy import (
    CHAR,
    Boolean,
    Column,
    Date,
    DateTime,
    MetaData,
    Numeric,
    SmallInteger,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from labs_common.db.tables import tenant_table

metadata = MetaData()

resources = tenant_table(
    "resources",
    metadata,
    Column("name", Text, nullable=False),
    Column("email", Text),
    Column("user_id", UUID(as_uuid=True)),
    Column("seniority_level", Text, nullable=False),
    Column("capacity_hours_per_week", Numeric(5, 2), nullable=False),
    Column("working_days", ARRAY(SmallInteger), nullable=False),
    Column("skills", ARRAY(Text), nullable=False),
    Column("is_placeholder", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

resource_rates = Table(
    "resource_rates",
    metadata,
    Column("org_id", UUID(as_uuid=True), nullable=False),
    Column("resource_id", UUID(as_uuid=True), primary_key=True),
    Column("effective_from", Date, primary_key=True),
    Column("billing_rate", Numeric(12, 2), nullable=False),
    Column("cost_rate", Numeric(12, 2)),  # NULL: not known yet (uncosted hours)
    Column("currency", CHAR(3), nullable=False),
    Column("created_at", DateTime(timezone=True)),
)

time_off = tenant_table(
    "time_off",
    metadata,
    Column("resource_id", UUID(as_uuid=True), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("hours_per_day", Numeric(4, 2)),
    Column("reason", Text, nullable=False),
    Column("created_at", DateTime(timezone=True)),
)

holidays = tenant_table(
    "holidays",
    metadata,
    Column("date", Date, nullable=False),
    Column("name", Text, nullable=False),
    Column("created_at", DateTime(timezone=True)),
)

allocations = tenant_table(
    "allocations",
    metadata,
    Column("resource_id", UUID(as_uuid=True), nullable=False),
    Column("project_id", UUID(as_uuid=True), nullable=False),
    Column("allocated_hours", Numeric(5, 2), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("tentative", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

over_allocations = Table(
    "over_allocations",
    metadata,
    Column("org_id", UUID(as_uuid=True), nullable=False),
    Column("resource_id", UUID(as_uuid=True), primary_key=True),
    Column("week_start", Date, primary_key=True),
    Column("available_hours", Numeric(7, 2), nullable=False),
    Column("allocated_hours", Numeric(7, 2), nullable=False),
)

# What capacity has heard of each project's status (projects' events): archived ones don't count.
project_states = Table(
    "project_states",
    metadata,
    Column("project_id", UUID(as_uuid=True), primary_key=True),
    Column("org_id", UUID(as_uuid=True), nullable=False),
    Column("status", Text, nullable=False),
    Column("archived", Boolean, nullable=False),
    Column("as_of", DateTime(timezone=True), nullable=False),
)
