"""Forecasts (one per project), the organization's members (alert recipients), alert
subscriptions, alerts, and each rule's last judged state per subject.

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

JSON_EMPTY = sa.text("'{}'::jsonb")
JSON_LIST = sa.text("'[]'::jsonb")


def _now(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False,
                     server_default=sa.text("now()"))


def upgrade() -> None:
    op.create_table(
        "forecasts",
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), primary_key=True),
        _now("as_of"),
        sa.Column("forecast_margin", sa.Numeric(9, 2), nullable=True),
        sa.Column("forecast_margin_dollar", sa.Numeric(16, 2), nullable=True),
        sa.Column("forecast_low", sa.Numeric(9, 2), nullable=True),
        sa.Column("forecast_high", sa.Numeric(9, 2), nullable=True),
        sa.Column("forecast_confidence", sa.Numeric(5, 0), nullable=False, server_default="0"),
        sa.Column("estimate_at_completion", sa.Numeric(16, 2), nullable=True),
        sa.Column("hours_at_completion", sa.Numeric(12, 2), nullable=True),
        sa.Column("method", sa.Text(), nullable=False, server_default=""),
        sa.Column("risk_score", sa.Numeric(3, 0), nullable=False, server_default="1"),
        sa.Column("risk_factors", postgresql.JSONB(), nullable=False, server_default=JSON_LIST),
        sa.Column("recommendation", sa.Text(), nullable=False, server_default=""),
        sa.Column("recommendations", postgresql.JSONB(), nullable=False,
                  server_default=JSON_LIST),
        sa.Column("currency", sa.CHAR(3), nullable=False),
        sa.Column("model", postgresql.JSONB(), nullable=False, server_default=JSON_EMPTY),
    )
    op.create_index("forecasts_org_risk", "forecasts", ["org_id", "risk_score"])
    op.create_table(
        "members",
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), primary_key=True),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False, server_default=""),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("preferences", postgresql.JSONB(), nullable=False, server_default=JSON_EMPTY),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "alert_subscriptions",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("alert_type", sa.Text(), nullable=False),
        sa.Column("delivery_method", sa.Text(), nullable=False),
        sa.Column("threshold_value", sa.Numeric(9, 2), nullable=True),
        sa.Column("project_id", sa.UUID(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        _now("created_at"),
    )
    # The same triple again answers the existing subscription (a project or the whole org).
    op.create_index(
        "alert_subscriptions_unique", "alert_subscriptions",
        ["org_id", "user_id", "alert_type", "delivery_method",
         sa.text("coalesce(project_id, '00000000-0000-0000-0000-000000000000'::uuid)")],
        unique=True)
    op.create_index("alert_subscriptions_org_type", "alert_subscriptions",
                    ["org_id", "alert_type"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=True),
        sa.Column("resource_id", sa.UUID(), nullable=True),
        sa.Column("invoice_id", sa.UUID(), nullable=True),
        sa.Column("data", postgresql.JSONB(), nullable=False, server_default=JSON_EMPTY),
        sa.Column("is_read", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("action_taken", sa.Text(), nullable=False, server_default=""),
        _now("created_at"),
    )
    op.create_index("alerts_user_created", "alerts", ["org_id", "user_id", "created_at", "id"])
    op.create_index("alerts_user_unread", "alerts", ["org_id", "user_id"],
                    postgresql_where=sa.text("NOT is_read"))
    op.create_table(
        "alert_states",
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("subscription_id", sa.UUID(), nullable=False),
        sa.Column("subject_id", sa.UUID(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        _now("updated_at"),
        sa.PrimaryKeyConstraint("subscription_id", "subject_id"),
    )
    for table in ("forecasts", "members", "alert_subscriptions", "alerts", "alert_states"):
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in ("alert_states", "alerts", "alert_subscriptions", "members", "forecasts"):
        op.drop_table(table)
