"""Tables of the time service (SQLAlchemy Core); the migrations create them explicitly."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from labs_common.db.tables import tenant_table

metadata = sa.MetaData()

HOURS = sa.Numeric(6, 2)
MONEY = sa.Numeric(14, 2)

time_entries = tenant_table(
    "time_entries",
    metadata,
    sa.Column("project_id", sa.UUID, nullable=False),
    sa.Column("task_id", sa.UUID),
    # None for a resource without a login (resource_id says who); migration 0006.
    sa.Column("user_id", sa.UUID),
    sa.Column("resource_id", sa.UUID),
    sa.Column("date_worked", sa.Date, nullable=False),
    sa.Column("hours", HOURS),
    sa.Column("rounded_hours", HOURS),
    sa.Column("started_at", sa.DateTime(timezone=True)),
    sa.Column("ended_at", sa.DateTime(timezone=True)),
    sa.Column("is_running", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("billable", sa.Boolean, nullable=False),
    sa.Column("billable_rate", MONEY),
    sa.Column("cost_rate", MONEY),
    sa.Column("currency", sa.Text),
    sa.Column("rate_source", sa.Text, nullable=False),
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.Text, nullable=False, server_default="draft"),
    sa.Column("is_locked", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("locked_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("invoice_id", sa.UUID),
    sa.Column("invoiced", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("fingerprint", sa.UUID),
    sa.Column("import_job_id", sa.UUID),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
)

expenses = tenant_table(
    "expenses",
    metadata,
    sa.Column("project_id", sa.UUID, nullable=False),
    sa.Column("user_id", sa.UUID, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("amount", MONEY, nullable=False),
    sa.Column("currency", sa.Text, nullable=False),
    sa.Column("expense_date", sa.Date, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("billable", sa.Boolean, nullable=False),
    sa.Column("invoice_id", sa.UUID),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
)

import_jobs = tenant_table(
    "import_jobs",
    metadata,
    sa.Column("user_id", sa.UUID, nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="queued"),
    sa.Column("format", sa.Text, nullable=False, server_default=""),
    sa.Column("create_missing", sa.Boolean, nullable=False, server_default=sa.false()),
    # The caller's token, kept only while the job waits or runs: the worker asks projects,
    # identity and capacity as that caller. Cleared when the job finishes.
    sa.Column("token", sa.Text),
    sa.Column("total", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("processed", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("imported", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("errors", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("lease_until", sa.DateTime(timezone=True)),
    sa.Column("error_count", sa.BigInteger, nullable=False, server_default="0"),
)

import_chunks = sa.Table(
    "import_chunks",
    metadata,
    sa.Column("job_id", sa.UUID, primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("org_id", sa.UUID, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

