"""Platform tables: outbox, processed events, idempotency keys.

Revision ID: 0001
Revises:
"""

from labs_common.db.migrations import create_platform_tables, drop_platform_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables()


def downgrade() -> None:
    drop_platform_tables()
