"""Jira and Asana imports: what each import asked (beside its sync log, which is its job), and
the task each imported issue became, with the fields it was last given (a re-import updates
that task, and only with what the platform changed).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from labs_common.db.migrations import enable_tenant_rls

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TENANT_TABLES = ("task_imports", "imported_tasks")


def _now(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False,
                     server_default=sa.text("now()"))


def upgrade() -> None:
    op.create_table(
        "task_imports",
        # The id of its sync log (the job id POST /integrations/{id}/import answers).
        sa.Column("id", sa.UUID(), sa.ForeignKey("sync_logs.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("connection_id", sa.UUID(), sa.ForeignKey("connections.id"), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        # A JQL query (Jira) or a project gid (Asana).
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.UUID(), nullable=False),
        _now("created_at"),
    )
    op.create_index("task_imports_by_connection", "task_imports", ["org_id", "connection_id"])
    op.create_table(
        "imported_tasks",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("platform", sa.Text(), nullable=False),
        # Jira's issue id (not its key, which changes when the issue moves), Asana's task gid.
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("task_id", sa.UUID(), nullable=False),
        # The task fields Labs was last given for it (title, status, assignee_id...).
        sa.Column("applied", postgresql.JSONB(), nullable=False,
                  server_default=sa.text("'{}'::jsonb")),
        _now("updated_at"),
        sa.UniqueConstraint("org_id", "platform", "external_id", name="imported_tasks_once"),
    )
    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        op.drop_table(table)
