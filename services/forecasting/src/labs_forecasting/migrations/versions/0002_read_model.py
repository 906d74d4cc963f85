"""Forecasting's read model under tenant row-level security: projects, entries, expenses,
resources and their rates, allocations, invoices, organizations, the running totals per project
and the daily margins.

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

MONEY = sa.Numeric(16, 2)
HOURS = sa.Numeric(12, 2)
RATE = sa.Numeric(12, 2)


def _as_of() -> sa.Column:
    return sa.Column("as_of", sa.DateTime(timezone=True), nullable=False)


def _tenant(name: str, *columns, **options) -> None:
    op.create_table(name, sa.Column("id", sa.UUID(), primary_key=True),
                    sa.Column("org_id", sa.UUID(), nullable=False), *columns, **options)


def upgrade() -> None:
    _tenant(
        "projects",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("client_id", sa.UUID(), nullable=True),
        sa.Column("client_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("budget_type", sa.Text(), nullable=False),
        sa.Column("budget_total", MONEY, nullable=True),
        sa.Column("budget_hours", HOURS, nullable=True),
        sa.Column("currency", sa.CHAR(3), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        _as_of(),
    )
    op.create_index("projects_org_status", "projects", ["org_id", "status"])
    _tenant(
        "entries",
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("resource_id", sa.UUID(), nullable=True),
        sa.Column("date_worked", sa.Date(), nullable=False),
        sa.Column("hours", HOURS, nullable=False),
        sa.Column("rounded_hours", HOURS, nullable=False),
        sa.Column("billable", sa.Boolean(), nullable=False),
        sa.Column("billable_rate", RATE, nullable=False),
        sa.Column("cost_rate", RATE, nullable=True),
        sa.Column("currency", sa.CHAR(3), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        _as_of(),
    )
    op.create_index("entries_org_project_date", "entries", ["org_id", "project_id", "date_worked"])
    op.create_index("entries_org_date", "entries", ["org_id", "date_worked"])
    # Repricing a person's uncosted hours when their cost rate arrives.
    op.create_index("entries_uncosted", "entries", ["org_id", "resource_id", "user_id"],
                    postgresql_where=sa.text("cost_rate IS NULL AND counted"))
    _tenant(
        "expenses",
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.CHAR(3), nullable=False),
        sa.Column("billable", sa.Boolean(), nullable=False),
        sa.Column("expense_date", sa.Date(), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        _as_of(),
    )
    op.create_index("expenses_org_project_date", "expenses",
                    ["org_id", "project_id", "expense_date"])
    op.create_table(
        "project_totals",
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), primary_key=True),
        *(sa.Column(name, HOURS, nullable=False, server_default="0")
          for name in ("hours_logged", "billable_hours", "uncosted_hours")),
        sa.Column("labor_cost", sa.Numeric(18, 4), nullable=False, server_default="0"),
        sa.Column("time_revenue", sa.Numeric(18, 4), nullable=False, server_default="0"),
        sa.Column("expense_cost", MONEY, nullable=False, server_default="0"),
        sa.Column("billable_expenses", MONEY, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.text("now()")),
    )
    op.create_index("project_totals_org", "project_totals", ["org_id"])
    op.create_table(
        "daily_margins",
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("revenue", MONEY, nullable=False),
        sa.Column("cost", MONEY, nullable=False),
        sa.Column("margin_dollar", MONEY, nullable=False),
        sa.Column("margin_percent", sa.Numeric(9, 2), nullable=True),
        sa.PrimaryKeyConstraint("project_id", "day"),
    )
    _tenant(
        "resources",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("seniority_level", sa.Text(), nullable=False, server_default="mid"),
        sa.Column("capacity_hours_per_week", HOURS, nullable=False, server_default="40"),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        _as_of(),
    )
    op.create_index("resources_org_user", "resources", ["org_id", "user_id"])
    op.create_table(
        "resource_rates",
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("resource_id", sa.UUID(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("billing_rate", RATE, nullable=False),
        sa.Column("cost_rate", RATE, nullable=True),
        sa.Column("currency", sa.CHAR(3), nullable=False),
        sa.PrimaryKeyConstraint("resource_id", "effective_from"),
    )
    _tenant(
        "allocations",
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("resource_id", sa.UUID(), nullable=False),
        sa.Column("allocated_hours", HOURS, nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("tentative", sa.Boolean(), nullable=False),
        sa.Column("billing_rate", RATE, nullable=True),
        sa.Column("cost_rate", RATE, nullable=True),
        sa.Column("currency", sa.CHAR(3), nullable=True),
        sa.Column("counted", sa.Boolean(), nullable=False),
        _as_of(),
    )
    op.create_index("allocations_org_project", "allocations", ["org_id", "project_id"])
    _tenant(
        "invoices",
        sa.Column("project_id", sa.UUID(), nullable=True),
        sa.Column("client_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("currency", sa.CHAR(3), nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("amount_paid", MONEY, nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        _as_of(),
    )
    op.create_index("invoices_org_status", "invoices", ["org_id", "status"])
    op.create_table(
        "organizations",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("currency", sa.CHAR(3), nullable=False),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.Column("exchange_rates", postgresql.JSONB(), nullable=False,
                  server_default=sa.text("'{}'::jsonb")),
        sa.Column("financials_visible_to", sa.Text(), nullable=False, server_default="manager"),
        _as_of(),
    )
    for table in ("projects", "entries", "expenses", "project_totals", "daily_margins",
                  "resources", "resource_rates", "allocations", "invoices"):
        enable_tenant_rls(table)
    enable_tenant_rls("organizations", "id")


def downgrade() -> None:
    for table in ("organizations", "invoices", "allocations", "resource_rates", "resources",
                  "daily_margins", "project_totals", "expenses", "entries", "projects"):
        op.drop_table(table)
