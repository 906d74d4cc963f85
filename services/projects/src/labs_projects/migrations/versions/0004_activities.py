"""The activity feed: immutable entries (a trigger refuses UPDATE and DELETE), newest first.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from labs_common.db.migrations import enable_tenant_rls

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activities",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("entity_type", sa.Text(), nullable=False),
        sa.Column("entity_id", sa.Text(), server_default="", nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=True),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
    )
    op.create_index("activities_org_newest", "activities",
                    ["org_id", sa.text("created_at DESC"), sa.text("id DESC")])
    op.create_index("activities_project_newest", "activities",
                    ["project_id", sa.text("created_at DESC"), sa.text("id DESC")])
    op.create_index("activities_org_user", "activities", ["org_id", "user_id"])
    op.create_index("activities_org_entity_type", "activities", ["org_id", "entity_type"])
    # An audit trail is only worth something if nobody can rewrite it.
    op.execute("""
        CREATE FUNCTION labs_activities_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'activity entries are immutable'; END $$
    """)
    op.execute("""
        CREATE TRIGGER activities_immutable BEFORE UPDATE OR DELETE ON activities
        FOR EACH ROW EXECUTE FUNCTION labs_activities_immutable()
    """)
    enable_tenant_rls("activities")


def downgrade() -> None:
    op.drop_table("activities")
    op.execute("DROP FUNCTION IF EXISTS labs_activities_immutable()")
