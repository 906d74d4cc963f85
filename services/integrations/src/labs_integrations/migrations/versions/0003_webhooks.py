"""Outgoing webhooks: endpoints, deliveries.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from labs_common.db.migrations import enable_tenant_rls

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TENANT_TABLES = ("webhook_endpoints", "webhook_deliveries")


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("events", postgresql.ARRAY(sa.Text()), nullable=False),
        # The signing secret sealed by the Vault (adapters/vault.py).
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.text("now()")),
        _when("deleted_at"),
    )
    op.create_index("webhook_endpoints_live", "webhook_endpoints", ["org_id", "created_at"],
                    postgresql_where=sa.text("deleted_at IS NULL"))

    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("endpoint_id", sa.UUID(), sa.ForeignKey("webhook_endpoints.id"),
                  nullable=False),
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        # The exact JSON sent, so every attempt and redelivery sends the same bytes.
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.text("now()")),
        _when("last_attempt_at"),
        _when("next_attempt_at"),
        _when("give_up_at", nullable=False),
        sa.UniqueConstraint("endpoint_id", "event_id", name="webhook_deliveries_once"),
    )
    op.create_index("webhook_deliveries_due", "webhook_deliveries",
                    ["status", "next_attempt_at"])
    op.create_index("webhook_deliveries_by_endpoint", "webhook_deliveries",
                    ["org_id", "endpoint_id", sa.text("created_at DESC"), sa.text("id DESC")])

    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        op.drop_table(table)
