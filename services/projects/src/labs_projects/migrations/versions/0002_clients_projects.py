"""Clients and projects under tenant row-level security, with full-text search on projects.

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


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "clients",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), server_default="", nullable=False),
        sa.Column("currency", sa.Text(), server_default="USD", nullable=False),
        *_timestamps(),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("clients_org_created", "clients", ["org_id", "created_at", "id"])
    # Resolving a client by name (client_name on project create) must find one row per org.
    op.execute(
        "CREATE UNIQUE INDEX clients_org_name ON clients (org_id, lower(name))"
        " WHERE archived_at IS NULL"
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("client_id", sa.UUID(), sa.ForeignKey("clients.id"), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("priority", sa.Text(), nullable=False),
        sa.Column("budget_type", sa.Text(), nullable=False),
        sa.Column("budget_total", sa.Numeric(14, 2), nullable=True),
        sa.Column("budget_currency", sa.Text(), nullable=False),
        sa.Column("budget_hours", sa.Numeric(10, 2), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("billing_rate_override", sa.Numeric(12, 2), nullable=True),
        sa.Column("project_manager_id", sa.UUID(), nullable=True),
        sa.Column("github_repo_url", sa.Text(), server_default="", nullable=False),
        sa.Column("slack_channel_id", sa.Text(), server_default="", nullable=False),
        *_timestamps(),
        sa.Column(
            "search",
            postgresql.TSVECTOR(),
            sa.Computed(
                "setweight(to_tsvector('english', name), 'A')"
                " || setweight(to_tsvector('english', description), 'B')",
                persisted=True,
            ),
        ),
        sa.CheckConstraint(
            "status IN ('planning','active','on_hold','completed','archived')",
            name="projects_status",
        ),
        sa.CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
                           name="projects_dates"),
    )
    op.create_index("projects_org_created", "projects", ["org_id", "created_at", "id"])
    op.create_index("projects_org_client", "projects", ["org_id", "client_id"])
    op.execute("CREATE INDEX projects_org_name ON projects (org_id, lower(btrim(name)))")
    op.create_index("projects_search", "projects", ["search"], postgresql_using="gin")
    for table in ("clients", "projects"):
        enable_tenant_rls(table)


def downgrade() -> None:
    op.drop_table("projects")
    op.drop_table("clients")
