"""A resource's cost rate may be unknown (seed 003 creates resources without one): its hours count
as uncosted in margins until a rate is set.

Downgrade refuses while such rates exist (there is no cost to put back).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("resource_rates", "cost_rate", nullable=True)


def downgrade() -> None:
    op.alter_column("resource_rates", "cost_rate", nullable=False)
