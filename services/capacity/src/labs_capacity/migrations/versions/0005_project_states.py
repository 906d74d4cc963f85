"""Capacity's read model of projects' status, filled from projects' events (project.created,
project.status_changed, project.archived): allocations to an archived project leave the
overview, utilization and over-allocation. A project capacity has heard nothing of counts.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from labs_common.db.migrations import enable_tenant_rls

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "project_states",
        sa.Column("project_id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        # When the event that set this state committed: an older event never overwrites it.
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
    )
    # The capacity queries look up the archived ones of an org.
    op.create_index("project_states_archived", "project_states", ["org_id"],
                    postgresql_where=sa.text("archived"))
    enable_tenant_rls("project_states")


def downgrade() -> None:
    op.drop_table("project_states")
