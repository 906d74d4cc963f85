"""Linear: issues linked to tasks, webhook deliveries, pushes of Labs changes to Linear.

`linear_deliveries` is read in a system scope (a webhook names a Linear workspace, not a
tenant) and is no tenant table; the others are, under row-level security.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from labs_common.db.migrations import enable_tenant_rls

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TENANT_TABLES = ("linear_issue_links", "linear_issue_pushes", "linear_cursors")


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _now(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False,
                     server_default=sa.text("now()"))


def upgrade() -> None:
    op.create_table(
        "linear_deliveries",
        # Linear-Delivery: a delivery seen before changes nothing.
        sa.Column("delivery_id", sa.Text(), primary_key=True),
        # The payload's `type` (Issue, Comment...) and `action` (create, update, remove).
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=True),
        # The Linear workspace (`organizationId`): the connections that name it are the tenants.
        sa.Column("organization_id", sa.Text(), nullable=True),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        _now("received_at"),
        _when("applied_at"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        # Due while applied_at is NULL and this has passed (a claim leases it forward).
        _now("next_attempt_at"),
        sa.Column("last_error", sa.Text(), nullable=True),
        # The orgs a delivery was applied for already: a retry (another org's outage) skips them.
        sa.Column("applied_orgs", postgresql.ARRAY(sa.UUID()), nullable=False,
                  server_default=sa.text("'{}'::uuid[]")),
    )
    op.create_index("linear_deliveries_due", "linear_deliveries", ["next_attempt_at"],
                    postgresql_where=sa.text("applied_at IS NULL"))

    op.create_table(
        "linear_issue_links",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("task_id", sa.UUID(), nullable=False),
        # Linear's issue id (a UUID, kept when the issue moves team and its identifier changes).
        sa.Column("issue_id", sa.Text(), nullable=False),
        # "ENG-12", as people name it, for messages.
        sa.Column("identifier", sa.Text(), nullable=False),
        # Whose workflow states a Labs status is looked up in.
        sa.Column("team_id", sa.Text(), nullable=False),
        # What the two sides last agreed on: a webhook saying exactly this is our own echo, a
        # task event saying last_title and last_status is the echo of our own apply.
        sa.Column("last_title", sa.Text(), nullable=False),
        sa.Column("last_description_hash", sa.Text(), nullable=False),
        sa.Column("last_state_id", sa.Text(), nullable=False),
        sa.Column("last_status", sa.Text(), nullable=False),
        sa.Column("last_assignee_id", sa.Text(), nullable=False, server_default=""),
        sa.Column("last_estimate", sa.Integer(), nullable=True),
        # Linear's change is recorded above but not yet applied to the task (retried in full).
        sa.Column("applying", sa.Boolean(), nullable=False, server_default=sa.false()),
        # The issue was deleted in Linear: its task was marked, and nothing goes back to Linear.
        sa.Column("removed", sa.Boolean(), nullable=False, server_default=sa.false()),
        # Linear's updatedAt as last agreed: an older snapshot is never applied over it.
        _when("issue_updated_at"),
        _now("synced_at"),
        sa.UniqueConstraint("org_id", "issue_id", name="linear_issue_links_issue"),
        sa.UniqueConstraint("org_id", "task_id", name="linear_issue_links_task"),
    )

    op.create_table(
        "linear_issue_pushes",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("link_id", sa.UUID(), sa.ForeignKey("linear_issue_links.id",
                                                      ondelete="CASCADE"), nullable=False),
        # What the issue should become; NULL: leave it. task_status is the Labs status whose
        # workflow state (of the team) the issue should be in.
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("task_status", sa.Text(), nullable=True),
        # pending, done, failed (given up).
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        _now("next_attempt_at"),
        sa.Column("last_error", sa.Text(), nullable=True),
        _now("created_at"),
        _when("give_up_at", nullable=False),
        _when("finished_at"),
        # Raised by each newer change while pending: a send that claimed an older version
        # leaves the intent pending.
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.create_index("linear_issue_pushes_due", "linear_issue_pushes", ["next_attempt_at"],
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_index("linear_issue_pushes_one_pending", "linear_issue_pushes", ["link_id"],
                    unique=True, postgresql_where=sa.text("status = 'pending'"))

    op.create_table(
        "linear_cursors",
        sa.Column("org_id", sa.UUID(), primary_key=True),
        # Of which mapping (a hash of the teams and projects mapped): a new mapping is read
        # from the start.
        sa.Column("scope", sa.Text(), primary_key=True),
        # The newest updatedAt of an issue the reconciler has read.
        _when("since", nullable=False),
    )

    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in ("linear_cursors", "linear_issue_pushes", "linear_issue_links",
                  "linear_deliveries"):
        op.drop_table(table)
