"""File metadata (contents live in object storage): versions per name within a project.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from labs_common.db.migrations import enable_tenant_rls

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "files",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("task_id", sa.UUID(), sa.ForeignKey("tasks.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("mime_type", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("uploaded_by", sa.UUID(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.CheckConstraint("size_bytes >= 0 AND version >= 1", name="files_sizes"),
    )
    # Two uploads of one name at once cannot both become the same version.
    op.execute(
        "CREATE UNIQUE INDEX files_name_version ON files (project_id, lower(name), version)"
    )
    op.create_index("files_project_newest", "files", ["project_id", "created_at", "id"])
    op.create_index("files_org", "files", ["org_id"])
    enable_tenant_rls("files")


def downgrade() -> None:
    op.drop_table("files")
