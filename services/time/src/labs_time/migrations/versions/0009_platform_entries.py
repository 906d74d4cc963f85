"""Entries brought in from a platform's API (Harvest's, by the integrations service) keep that
platform's id of them: what a later sync matches them by, and what tells a reconcile which
entries the platform still has. CSV imports leave it NULL.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("time_entries", sa.Column("external_id", sa.Text(), nullable=True))
    op.create_index("time_entries_platform", "time_entries",
                    ["org_id", "source", "date_worked"],
                    postgresql_where=sa.text("external_id IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("time_entries_platform", table_name="time_entries")
    op.drop_column("time_entries", "external_id")
