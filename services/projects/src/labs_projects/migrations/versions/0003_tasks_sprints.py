"""Tasks and sprints: board positions kept unique per status column, one active sprint per
project, full-text search on tasks.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from labs_common.db.migrations import enable_tenant_rls

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "sprints",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("goal", sa.Text(), server_default="", nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("status IN ('planning','active','completed')", name="sprints_status"),
        sa.CheckConstraint("end_date >= start_date", name="sprints_dates"),
    )
    op.create_index("sprints_project", "sprints", ["project_id", "start_date", "id"])
    # The database, not only the handler, guarantees one active sprint per project.
    op.create_index("sprints_one_active", "sprints", ["project_id"], unique=True,
                    postgresql_where=sa.text("status = 'active'"))
    op.create_table(
        "tasks",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("parent_task_id", sa.UUID(),
                  sa.ForeignKey("tasks.id", ondelete="CASCADE"), nullable=True),
        sa.Column("sprint_id", sa.UUID(),
                  sa.ForeignKey("sprints.id", ondelete="SET NULL"), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("priority", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("assignee_id", sa.UUID(), nullable=True),
        sa.Column("estimated_hours", sa.Numeric(10, 2), nullable=True),
        sa.Column("story_points", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.UUID(), nullable=True),
        *_timestamps(),
        sa.Column(
            "search",
            postgresql.TSVECTOR(),
            sa.Computed(
                "setweight(to_tsvector('english', title), 'A')"
                " || setweight(to_tsvector('english', description), 'B')",
                persisted=True,
            ),
        ),
        sa.CheckConstraint("position >= 0", name="tasks_position"),
        sa.CheckConstraint(
            "status IN ('backlog','todo','in_progress','in_review','done','cancelled')",
            name="tasks_status",
        ),
        sa.CheckConstraint("(status = 'done') = (completed_at IS NOT NULL)",
                           name="tasks_completed_when_done"),
    )
    # Deferred, so a move may shift a whole column in one statement and is checked at commit.
    op.execute(
        "ALTER TABLE tasks ADD CONSTRAINT tasks_board_position"
        " UNIQUE (project_id, status, position) DEFERRABLE INITIALLY DEFERRED"
    )
    op.create_index("tasks_parent", "tasks", ["parent_task_id"])
    op.create_index("tasks_sprint", "tasks", ["sprint_id"])
    op.create_index("tasks_assignee", "tasks", ["org_id", "assignee_id"])
    op.create_index("tasks_search", "tasks", ["search"], postgresql_using="gin")
    for table in ("sprints", "tasks"):
        enable_tenant_rls(table)


def downgrade() -> None:
    op.drop_table("tasks")
    op.drop_table("sprints")
