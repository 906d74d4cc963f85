"""The outbox no longer notifies on insert: the relay is woken by its own process's commits.

Revision ID: 0011
Revises: 0010
"""

from labs_common.db.migrations import create_outbox_notify, drop_outbox_notify

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    drop_outbox_notify()


def downgrade() -> None:
    create_outbox_notify()
