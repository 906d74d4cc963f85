"""The outbox no longer notifies on insert: the relay is woken by its own process's commits.

Revision ID: 0010
Revises: 0009
"""

from labs_common.db.migrations import create_outbox_notify as downgrade  # noqa: F401
from labs_common.db.migrations import drop_outbox_notify as upgrade  # noqa: F401

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

