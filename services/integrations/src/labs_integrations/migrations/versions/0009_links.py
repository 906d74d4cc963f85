"""Links from tasks and projects to Figma files, Notion pages, GitHub and Linear issues.

`links`: one row per task (or project) and target, with what the platform last said of the
target (title, thumbnail, last change) and when to read it again. `figma_hooks`: each Figma
connection's webhook passcode (sealed, and its SHA-256 for the intake to find the org by) and
the webhooks registered with it. `figma_deliveries`: Figma's webhooks, kept by delivery before
they are applied. All three are tenant tables; the intake and the workers read them in a system
scope.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from labs_common.db.migrations import enable_tenant_rls

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TENANT_TABLES = ("links", "figma_hooks", "figma_deliveries")


def _when(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def _now(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False,
                     server_default=sa.text("now()"))


def upgrade() -> None:
    op.create_table(
        "links",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        # The task's project, or the project itself when task_id is NULL.
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("task_id", sa.UUID(), nullable=True),
        sa.Column("platform", sa.Text(), nullable=False),
        # What the link points at, as the domain normalises it: a Figma file key, a Notion page
        # id (UUID form), "owner/repo#n" (GitHub, lowercased), "workspace/ID" (Linear).
        sa.Column("target_key", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("thumbnail_url", sa.Text(), nullable=True),
        # When the target last changed on the platform (the API's `updated_at`).
        _when("changed_at"),
        sa.Column("created_by", sa.UUID(), nullable=False),
        _now("created_at"),
        # The last successful read of the platform, and when to read it again (a claim leases
        # it forward; a 429 puts it after Retry-After).
        _when("fetched_at"),
        _now("due_at"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("links_once_per_task", "links",
                    ["org_id", "task_id", "platform", "target_key"], unique=True,
                    postgresql_where=sa.text("task_id IS NOT NULL"))
    op.create_index("links_once_per_project", "links",
                    ["org_id", "project_id", "platform", "target_key"], unique=True,
                    postgresql_where=sa.text("task_id IS NULL"))
    op.create_index("links_of_task", "links", ["org_id", "task_id", "created_at", "id"])
    op.create_index("links_of_target", "links", ["org_id", "platform", "target_key"])
    op.create_index("links_due", "links", ["due_at"])

    op.create_table(
        "figma_hooks",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("connection_id", sa.UUID(), sa.ForeignKey("connections.id"), nullable=False,
                  unique=True),
        # SHA-256 of the passcode Figma sends back in every webhook: how the intake finds the
        # org. The passcode itself is sealed like credentials (the worker gives it to Figma).
        sa.Column("passcode_hash", sa.LargeBinary(), nullable=False, unique=True),
        sa.Column("passcode", sa.LargeBinary(), nullable=False),
        # The connection's connected_at when its webhooks were last put in place: a reconnect
        # (another token, another team) makes the registration due again.
        _when("registered_for"),
        sa.Column("team_id", sa.Text(), nullable=True),
        sa.Column("webhook_ids", postgresql.JSONB(), nullable=False,
                  server_default=sa.text("'[]'::jsonb")),
        _now("next_attempt_at"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        _now("updated_at"),
    )

    op.create_table(
        "figma_deliveries",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        # Figma sends no delivery id: the event, file, timestamp and comment name a delivery,
        # and a retry of it repeats them.
        sa.Column("delivery_key", sa.Text(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("file_key", sa.Text(), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        _now("received_at"),
        _when("applied_at"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        _now("next_attempt_at"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.UniqueConstraint("org_id", "delivery_key", name="figma_deliveries_once"),
    )
    op.create_index("figma_deliveries_due", "figma_deliveries", ["next_attempt_at"],
                    postgresql_where=sa.text("applied_at IS NULL"))
    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        op.drop_table(table)
