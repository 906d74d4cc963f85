"""Tables of the time service (SQLAlchemy Core); the migrations create them explicitly."""

from __future__ import annotations

import sqlalchemy as sa

from labs_common.db import columns as col
from labs_common.db.tables import tenant_table

metadata = sa.MetaData()

time_entries = tenant_table(
    "time_entries",
    metadata,
    col.uuid("project_id", nullable=False),
    col.uuid("task_id"),
    # None for a resource without a login (resource_id says who); migration 0006.
    col.uuid("user_id"),
    col.uuid("resource_id"),
    col.day("date_worked", nullable=False),
    col.hours("hours", digits=6),
    col.hours("rounded_hours", digits=6),
    col.timestamp("started_at"),
    col.timestamp("ended_at"),
    col.flag("is_running", nullable=False, server_default=sa.false()),
    col.flag("billable", nullable=False),
    col.money("billable_rate"),
    col.money("cost_rate"),
    col.text("currency"),
    col.text("rate_source", nullable=False),
    col.text("notes", nullable=False, server_default=""),
    col.text("status", nullable=False, server_default="draft"),
    col.flag("is_locked", nullable=False, server_default=sa.false()),
    col.text("locked_reason", nullable=False, server_default=""),
    col.uuid("invoice_id"),
    col.flag("invoiced", nullable=False, server_default=sa.false()),
    col.text("source", nullable=False),
    col.uuid("fingerprint"),
    col.uuid("import_job_id"),
    # The platform's id of an entry synced from its API (migration 0009); NULL otherwise.
    col.text("external_id"),
    col.integer("version", nullable=False, server_default="1"),
    *col.timestamps(nullable=False, server_default=col.now()),
)

expenses = tenant_table(
    "expenses",
    metadata,
    col.uuid("project_id", nullable=False),
    col.uuid("user_id", nullable=False),
    col.text("description", nullable=False),
    col.money("amount", nullable=False),
    col.text("currency", nullable=False),
    col.day("expense_date", nullable=False),
    col.text("category", nullable=False),
    col.flag("billable", nullable=False),
    col.uuid("invoice_id"),
    col.integer("version", nullable=False, server_default="1"),
    *col.timestamps(nullable=False, server_default=col.now()),
)

import_jobs = tenant_table(
    "import_jobs",
    metadata,
    col.uuid("user_id", nullable=False),
    col.text("status", nullable=False, server_default="queued"),
    col.text("format", nullable=False, server_default=""),
    col.flag("create_missing", nullable=False, server_default=sa.false()),
    # The caller's token, kept only while the job waits or runs: the worker asks projects,
    # identity and capacity as that caller. Cleared when the job finishes.
    col.text("token"),
    col.big_integer("total", nullable=False, server_default="0"),
    col.big_integer("processed", nullable=False, server_default="0"),
    col.big_integer("imported", nullable=False, server_default="0"),
    col.jsonb("errors", nullable=False, server_default=sa.text("'[]'::jsonb")),
    col.created_at(nullable=False, server_default=col.now()),
    col.timestamp("finished_at"),
    col.timestamp("lease_until"),
    col.big_integer("error_count", nullable=False, server_default="0"),
)

import_chunks = sa.Table(
    "import_chunks",
    metadata,
    col.uuid("job_id", primary_key=True),
    col.integer("seq", primary_key=True),
    col.uuid("org_id", nullable=False),
    col.binary("data", nullable=False),
)

# Read models (migration 0008): what time keeps of other services' data, fed by their events
# (entrypoints/read_model_consumers.py), each row as of the event or answer it came from
# (`as_of`), so an older event never overwrites a newer state. A missing row is asked for over
# gRPC (adapters/known.py).

known_organizations = sa.Table(
    "known_organizations",
    metadata,
    col.uuid("id", primary_key=True),  # the org's id: the tenant key of this table
    col.text("timezone", nullable=False),
    col.text("currency", nullable=False),
    col.jsonb("settings", nullable=False),
    col.timestamp("as_of", nullable=False),
)

known_projects = tenant_table(
    "known_projects",
    metadata,
    col.text("name", nullable=False),
    col.flag("archived", nullable=False),
    col.rate("billing_rate_override"),
    col.text("currency", nullable=False),
    col.timestamp("as_of", nullable=False),
)

known_resources = tenant_table(
    "known_resources",
    metadata,
    col.text("name", nullable=False),
    col.text("email", nullable=False),
    col.uuid("user_id"),
    col.flag("is_placeholder", nullable=False),
    # True once the whole rate history was read from capacity (ListResourceRates): events alone
    # never tell when a resource's first rates began (resource.created carries no date).
    col.flag("rates_complete", nullable=False),
    col.timestamp("as_of", nullable=False),
)

known_resource_rates = sa.Table(
    "known_resource_rates",
    metadata,
    col.uuid("org_id", nullable=False),
    col.uuid("resource_id", primary_key=True),
    # date.min for the first rates of a resource that apply to every earlier date, as capacity.
    col.day("effective_from", primary_key=True),
    col.rate("billing_rate"),
    col.rate("cost_rate"),
    col.text("currency", nullable=False),
    col.timestamp("as_of", nullable=False),
)
