"""A project's allocations are read by project (ListProjectAllocations, the team of
GET /projects/{id}): an index on (org_id, project_id, start_date).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("allocations_project", "allocations", ["org_id", "project_id", "start_date"])


def downgrade() -> None:
    op.drop_index("allocations_project", table_name="allocations")
