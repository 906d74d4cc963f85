"""Connections, OAuth states, sync logs, and the read model of projects and members.

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

TENANT_TABLES = ("connections", "oauth_states", "sync_logs", "known_projects", "known_members")


def _stamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.text("now()"),
                     nullable=nullable)


def _when(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def upgrade() -> None:
    op.create_table(
        "connections",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("account_name", sa.Text(), nullable=False),
        sa.Column("external_account_id", sa.Text(), nullable=False),
        sa.Column("settings", postgresql.JSONB(), nullable=False,
                  server_default=sa.text("'{}'::jsonb")),
        sa.Column("credentials", sa.LargeBinary(), nullable=True),
        sa.Column("credentials_key_id", sa.Text(), nullable=True),
        # Deleted credentials waiting to be revoked at the platform (after the answer).
        sa.Column("revoke_credentials", sa.LargeBinary(), nullable=True),
        sa.Column("connected_by", sa.UUID(), nullable=False),
        _stamp("connected_at"),
        _when("last_sync_at"),
        sa.Column("last_sync_status", sa.Text(), nullable=True),
        sa.Column("last_sync_error", sa.Text(), nullable=True),
        _when("next_sync_at"),
        _when("deleted_at"),
        _stamp("updated_at"),
    )
    op.create_index("connections_one_per_platform", "connections", ["org_id", "platform"],
                    unique=True, postgresql_where=sa.text("deleted_at IS NULL"))
    op.create_index("connections_by_account", "connections",
                    ["platform", "external_account_id"],
                    postgresql_where=sa.text("deleted_at IS NULL"))
    # A Slack workspace answers its slash commands for one organization only.
    op.create_index("connections_one_org_per_workspace", "connections",
                    ["platform", "external_account_id"], unique=True,
                    postgresql_where=sa.text("deleted_at IS NULL AND platform = 'slack'"))

    op.create_table(
        "oauth_states",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("state_hash", sa.LargeBinary(), nullable=False, unique=True),
        sa.Column("redirect_url", sa.Text(), nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _when("used_at"),
        _stamp("created_at"),
    )

    op.create_table(
        "sync_logs",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("connection_id", sa.UUID(), sa.ForeignKey("connections.id"), nullable=False),
        sa.Column("trigger", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("records_synced", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("errors", postgresql.JSONB(), nullable=False,
                  server_default=sa.text("'[]'::jsonb")),
        _when("started_at"),
        _when("finished_at"),
        _stamp("created_at"),
    )
    op.create_index("sync_logs_by_connection", "sync_logs",
                    ["org_id", "connection_id", sa.text("created_at DESC"), sa.text("id DESC")])

    op.create_table(
        "known_projects",
        sa.Column("project_id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("client_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("github_repository", sa.Text(), nullable=True),
        sa.Column("slack_channel_id", sa.Text(), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("known_projects_by_repository", "known_projects", ["github_repository"],
                    postgresql_where=sa.text("github_repository IS NOT NULL"))
    op.create_index("known_projects_by_org_name", "known_projects",
                    ["org_id", sa.text("lower(name)")])

    op.create_table(
        "known_members",
        sa.Column("org_id", sa.UUID(), primary_key=True),
        sa.Column("user_id", sa.UUID(), primary_key=True),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("org_id", "email", name="known_members_email"),
    )

    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        op.drop_table(table)
