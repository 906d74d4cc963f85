"""Time entries, expenses and import jobs under tenant row-level security.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from labs_common.db.migrations import enable_tenant_rls

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TENANT_TABLES = ("time_entries", "expenses", "import_jobs", "import_chunks")


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "time_entries",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("task_id", sa.UUID()),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("resource_id", sa.UUID()),
        sa.Column("date_worked", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(6, 2)),
        sa.Column("rounded_hours", sa.Numeric(6, 2)),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("is_running", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("billable", sa.Boolean(), nullable=False),
        sa.Column("billable_rate", sa.Numeric(14, 2)),
        sa.Column("cost_rate", sa.Numeric(14, 2)),
        sa.Column("currency", sa.Text()),
        sa.Column("rate_source", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.Text(), server_default="draft", nullable=False),
        sa.Column("is_locked", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("locked_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("invoice_id", sa.UUID()),
        sa.Column("invoiced", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.Text()),
        sa.Column("import_job_id", sa.UUID()),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        *_timestamps(),
        sa.CheckConstraint("status IN ('draft', 'submitted', 'approved')", name="entry_status"),
        sa.CheckConstraint(
            "is_running OR (hours > 0 AND hours <= 24)", name="entry_hours_in_range"
        ),
        sa.CheckConstraint("NOT invoiced OR invoice_id IS NOT NULL", name="entry_invoiced_has_id"),
    )
    # The one-running-timer rule, kept by the database even when two devices start at once.
    op.create_index("time_entries_one_running_timer", "time_entries", ["org_id", "user_id"],
                    unique=True, postgresql_where=sa.text("is_running"))
    op.create_index("time_entries_fingerprint", "time_entries", ["org_id", "fingerprint"],
                    unique=True, postgresql_where=sa.text("fingerprint IS NOT NULL"))
    op.create_index("time_entries_by_date", "time_entries", ["org_id", "date_worked", "id"])
    op.create_index("time_entries_by_project", "time_entries",
                    ["org_id", "project_id", "date_worked"])
    op.create_index("time_entries_by_user", "time_entries", ["org_id", "user_id", "date_worked"])
    op.create_index("time_entries_by_invoice", "time_entries", ["invoice_id"],
                    postgresql_where=sa.text("invoice_id IS NOT NULL"))

    op.create_table(
        "expenses",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("expense_date", sa.Date(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("billable", sa.Boolean(), nullable=False),
        sa.Column("invoice_id", sa.UUID()),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        *_timestamps(),
        sa.CheckConstraint("amount > 0", name="expense_amount_positive"),
    )
    op.create_index("expenses_by_project", "expenses", ["org_id", "project_id", "expense_date"])

    op.create_table(
        "import_jobs",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.Text(), server_default="queued", nullable=False),
        sa.Column("format", sa.Text(), server_default="", nullable=False),
        sa.Column("create_missing", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("token", sa.Text()),
        sa.Column("total", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("processed", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("imported", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("errors", postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"),
                  nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "import_chunks",
        sa.Column("job_id", sa.UUID(), sa.ForeignKey("import_jobs.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    op.drop_table("import_chunks")
    op.drop_table("import_jobs")
    op.drop_table("expenses")
    op.drop_table("time_entries")
