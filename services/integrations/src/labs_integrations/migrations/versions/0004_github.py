"""GitHub: webhook inbox, issue links, outbound issue changes, the reconciler's cursors.

`github_deliveries` is read in a system scope (a webhook names a repository, not a tenant) and
is no tenant table; the others are, under row-level security.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from labs_common.db.migrations import enable_tenant_rls

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TENANT_TABLES = ("github_issue_links", "github_issue_pushes", "github_cursors")


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _now(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False,
                     server_default=sa.text("now()"))


def upgrade() -> None:
    op.create_table(
        "github_deliveries",
        # X-GitHub-Delivery: a delivery seen before changes nothing.
        sa.Column("delivery_id", sa.Text(), primary_key=True),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=True),
        # "owner/name", lowercased; NULL when the payload names none.
        sa.Column("repository", sa.Text(), nullable=True),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        _now("received_at"),
        _when("applied_at"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        # Due while applied_at is NULL and this has passed (a claim leases it forward).
        _now("next_attempt_at"),
        sa.Column("last_error", sa.Text(), nullable=True),
        # The orgs a delivery was applied for already: a retry (another org's failure) skips
        # them, so their activity is not published twice.
        sa.Column("applied_orgs", postgresql.ARRAY(sa.UUID()), nullable=False,
                  server_default=sa.text("'{}'::uuid[]")),
    )
    op.create_index("github_deliveries_due", "github_deliveries", ["next_attempt_at"],
                    postgresql_where=sa.text("applied_at IS NULL"))

    op.create_table(
        "github_issue_links",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("task_id", sa.UUID(), nullable=False),
        sa.Column("repository", sa.Text(), nullable=False),
        sa.Column("issue_number", sa.Integer(), nullable=False),
        # What the two sides last agreed on: a webhook saying exactly this is our own echo.
        sa.Column("last_title", sa.Text(), nullable=False),
        sa.Column("last_state", sa.Text(), nullable=False),
        sa.Column("last_body_hash", sa.Text(), nullable=False),
        # GitHub's change is recorded above but not yet applied to the task (retried).
        sa.Column("applying", sa.Boolean(), nullable=False, server_default=sa.false()),
        # GitHub's updated_at of the issue as last agreed: an older snapshot (a webhook arriving
        # late, what the reconciler read before a webhook landed) is never applied over it.
        sa.Column("issue_updated_at", sa.DateTime(timezone=True), nullable=True),
        _now("synced_at"),
        sa.CheckConstraint("last_state IN ('open', 'closed')", name="github_issue_links_state"),
        sa.UniqueConstraint("org_id", "repository", "issue_number",
                            name="github_issue_links_issue"),
        sa.UniqueConstraint("org_id", "task_id", name="github_issue_links_task"),
    )

    op.create_table(
        "github_issue_pushes",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("link_id", sa.UUID(), sa.ForeignKey("github_issue_links.id",
                                                      ondelete="CASCADE"), nullable=False),
        # What the issue should become; NULL: leave it.
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), nullable=True),
        # pending, done, failed (given up).
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        _now("next_attempt_at"),
        sa.Column("last_error", sa.Text(), nullable=True),
        _now("created_at"),
        _when("give_up_at", nullable=False),
        _when("finished_at"),
        # Raised by each newer change while pending: a send that claimed an older version
        # leaves the intent pending (what it asks now was not sent yet).
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.create_index("github_issue_pushes_due", "github_issue_pushes", ["next_attempt_at"],
                    postgresql_where=sa.text("status = 'pending'"))
    # One pending intent per link: a newer change of the task replaces what it wants.
    op.create_index("github_issue_pushes_one_pending", "github_issue_pushes", ["link_id"],
                    unique=True, postgresql_where=sa.text("status = 'pending'"))

    op.create_table(
        "github_cursors",
        sa.Column("org_id", sa.UUID(), primary_key=True),
        sa.Column("repository", sa.Text(), primary_key=True),
        # The newest updated_at of an issue the reconciler has applied.
        _when("since", nullable=False),
    )

    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in ("github_cursors", "github_issue_pushes", "github_issue_links",
                  "github_deliveries"):
        op.drop_table(table)
