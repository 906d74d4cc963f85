"""A resource that left: the first day it no longer counts (DELETE /resources/{id}); its history
and rates stay.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("resources", sa.Column("end_date", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("resources", "end_date")
