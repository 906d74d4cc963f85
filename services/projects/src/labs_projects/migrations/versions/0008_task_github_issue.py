"""Tasks mirror GitHub issues: github_issue_number, unique per project where set.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tasks", sa.Column("github_issue_number", sa.Integer(), nullable=True))
    op.create_check_constraint("tasks_github_issue_positive", "tasks",
                               "github_issue_number IS NULL OR github_issue_number > 0")
    op.create_index("tasks_github_issue", "tasks", ["project_id", "github_issue_number"],
                    unique=True, postgresql_where=sa.text("github_issue_number IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("tasks_github_issue", table_name="tasks")
    op.drop_constraint("tasks_github_issue_positive", "tasks")
    op.drop_column("tasks", "github_issue_number")
