"""Expenses join billing's saga: the expenses an invoice holds are found by its id (reserve's
repeat, mark invoiced, release), as time entries are.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("expenses_by_invoice", "expenses", ["invoice_id"],
                    postgresql_where=sa.text("invoice_id IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("expenses_by_invoice", table_name="expenses")
