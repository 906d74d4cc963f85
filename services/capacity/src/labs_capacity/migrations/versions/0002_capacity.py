"""Capacity tables under tenant row-level security.

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

TENANT_TABLES = (
    "resources",
    "resource_rates",
    "time_off",
    "holidays",
    "allocations",
    "over_allocations",
)


def _stamp(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.text("now()"),
                     nullable=False)


def upgrade() -> None:
    op.create_table(
        "resources",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("seniority_level", sa.Text(), nullable=False),
        sa.Column("capacity_hours_per_week", sa.Numeric(5, 2), nullable=False),
        sa.Column("working_days", postgresql.ARRAY(sa.SmallInteger()), nullable=False),
        sa.Column("skills", postgresql.ARRAY(sa.Text()), nullable=False,
                  server_default=sa.text("'{}'::text[]")),
        sa.Column("is_placeholder", sa.Boolean(), nullable=False, server_default=sa.false()),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.CheckConstraint("capacity_hours_per_week BETWEEN 0 AND 168", name="capacity_range"),
        sa.CheckConstraint("cardinality(working_days) > 0", name="some_working_day"),
    )
    op.create_index("resources_org_name", "resources", ["org_id", "name", "id"])
    # A member is at most one resource, so GetRates(user_id) has one answer.
    op.create_index("resources_org_user", "resources", ["org_id", "user_id"], unique=True,
                    postgresql_where=sa.text("user_id IS NOT NULL"))

    op.create_table(
        "resource_rates",
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("resource_id", sa.UUID(), sa.ForeignKey("resources.id", ondelete="CASCADE"),
                  nullable=False),
        # The first rates of a resource start at -infinity (date.min): they apply to every date.
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("billing_rate", sa.Numeric(12, 2), nullable=False),
        sa.Column("cost_rate", sa.Numeric(12, 2), nullable=False),
        sa.Column("currency", sa.CHAR(3), nullable=False),
        _stamp("created_at"),
        sa.PrimaryKeyConstraint("resource_id", "effective_from"),
    )

    op.create_table(
        "time_off",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("resource_id", sa.UUID(), sa.ForeignKey("resources.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("hours_per_day", sa.Numeric(4, 2), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        _stamp("created_at"),
        sa.CheckConstraint("end_date >= start_date", name="time_off_dates"),
    )
    op.create_index("time_off_resource", "time_off", ["resource_id", "start_date"])

    op.create_table(
        "holidays",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False, server_default=""),
        _stamp("created_at"),
        sa.UniqueConstraint("org_id", "date", name="holidays_org_date"),
    )

    op.create_table(
        "allocations",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("resource_id", sa.UUID(), sa.ForeignKey("resources.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("allocated_hours", sa.Numeric(5, 2), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("tentative", sa.Boolean(), nullable=False, server_default=sa.false()),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.CheckConstraint("end_date >= start_date", name="allocation_dates"),
        sa.CheckConstraint("allocated_hours > 0 AND allocated_hours <= 168",
                           name="allocation_hours"),
    )
    op.create_index("allocations_resource", "allocations", ["resource_id", "start_date"])
    op.create_index("allocations_org_dates", "allocations", ["org_id", "start_date", "end_date"])

    # Which resource-weeks are over-allocated now, so each crossing is announced once.
    op.create_table(
        "over_allocations",
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("resource_id", sa.UUID(), sa.ForeignKey("resources.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("available_hours", sa.Numeric(7, 2), nullable=False),
        sa.Column("allocated_hours", sa.Numeric(7, 2), nullable=False),
        _stamp("detected_at"),
        sa.PrimaryKeyConstraint("resource_id", "week_start"),
    )

    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        op.drop_table(table)
