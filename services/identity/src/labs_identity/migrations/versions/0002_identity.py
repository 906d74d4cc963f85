"""Identity tables under tenant row-level security.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
from labs_common.db.migrations import enable_tenant_rls
from labs_identity.adapters.orm import TENANT_TABLES, metadata

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The tables as they are at this revision; later revisions alter them explicitly.
    metadata.create_all(op.get_bind())
    enable_tenant_rls("organizations", column="id")
    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    metadata.drop_all(op.get_bind())
