"""A time entry may be of a resource without a login (a contractor): user_id becomes optional,
and every entry names someone, a user or a resource.

Downgrade refuses while such entries exist (they would have no user to fall back to).

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("time_entries", "user_id", nullable=True)
    op.create_check_constraint("time_entries_names_someone", "time_entries",
                               "user_id IS NOT NULL OR resource_id IS NOT NULL")


def downgrade() -> None:
    op.drop_constraint("time_entries_names_someone", "time_entries", type_="check")
    op.alter_column("time_entries", "user_id", nullable=False)
