"""Slack: the cache of Slack users' emails, the outbox of messages to post, the weekday reminders
sent, the time entries (their day) heard from time, and the organizations' timezones.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from labs_common.db.migrations import enable_tenant_rls

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TENANT_TABLES = ("slack_messages", "slack_reminders", "logged_entries")


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    # Not a tenant table: a slash command names a workspace and a Slack user before any org is
    # known. Ids and an email only.
    op.create_table(
        "slack_users",
        sa.Column("team_id", sa.Text(), primary_key=True),
        sa.Column("user_id", sa.Text(), primary_key=True),
        sa.Column("email", sa.Text(), nullable=False),
        _when("fetched_at", nullable=False),
    )

    op.create_table(
        "slack_messages",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        # The event (or reminder) and where it goes: the same one is queued once.
        sa.Column("dedupe_key", sa.Text(), nullable=False),
        # A channel id or name; NULL for a direct message to `dm_email` (looked up when sent).
        sa.Column("channel", sa.Text(), nullable=True),
        sa.Column("dm_email", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("blocks", postgresql.JSONB(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        _when("next_attempt_at", nullable=False),
        _when("give_up_at", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        _when("sent_at"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.UniqueConstraint("org_id", "dedupe_key", name="slack_messages_dedupe"),
        sa.CheckConstraint("channel IS NOT NULL OR dm_email IS NOT NULL",
                           name="slack_messages_target"),
    )
    op.create_index("slack_messages_due", "slack_messages", ["next_attempt_at"],
                    postgresql_where=sa.text("status = 'pending'"))

    op.create_table(
        "slack_reminders",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.UniqueConstraint("org_id", "day", name="slack_reminders_once_a_day"),
    )

    # One row per time entry heard (its day and whether it still exists): a day counts as logged
    # when one of its entries is live; an update that moves an entry to another day moves it.
    op.create_table(
        "logged_entries",
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("entry_id", sa.UUID(), primary_key=True),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("live", sa.Boolean(), nullable=False, server_default=sa.true()),
        _when("as_of", nullable=False),
    )
    op.create_index("logged_entries_by_day", "logged_entries", ["org_id", "day", "user_id"],
                    postgresql_where=sa.text("live"))

    # Not a tenant table: the reminder sweeper reads every org's timezone in a system scope.
    op.create_table(
        "known_orgs",
        sa.Column("org_id", sa.UUID(), primary_key=True),
        sa.Column("timezone", sa.Text(), nullable=False),
        _when("as_of", nullable=False),
    )

    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in ("known_orgs", "logged_entries", "slack_reminders", "slack_messages",
                  "slack_users"):
        op.drop_table(table)
