"""Harvest: which Labs project each Harvest project became, and where each org's sync has got to
(the last change it has seen, its last reconcile).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from labs_common.db.migrations import enable_tenant_rls

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TENANT_TABLES = ("harvest_projects", "harvest_cursors")


def upgrade() -> None:
    op.create_table(
        "harvest_projects",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("harvest_id", sa.BigInteger(), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.UniqueConstraint("org_id", "harvest_id", name="harvest_projects_once"),
    )
    op.create_table(
        "harvest_cursors",
        sa.Column("org_id", sa.UUID(), primary_key=True),
        # Harvest's updated_at of the newest row read; the next sync asks from a little before.
        sa.Column("updated_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reconciled_at", sa.DateTime(timezone=True), nullable=True),
    )
    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in TENANT_TABLES:
        op.drop_table(table)
