"""The outbox no longer notifies on insert: the relay is woken by its own process's commits.

Revision ID: 0004
Revises: 0003
"""

from labs_common.db.migrations import create_outbox_notify, drop_outbox_notify

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    drop_outbox_notify()


def downgrade() -> None:
    create_outbox_notify()
