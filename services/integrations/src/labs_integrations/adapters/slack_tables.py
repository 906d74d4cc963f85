"""The Slack slice's tables (migration 0005) as SQLAlchemy Core, on integrations' metadata."""

from __future__ import annotations

from sqlalchemy import Column, Date, Table, UniqueConstraint

from labs_common.db import columns as col
from labs_common.db.tables import tenant_table
from labs_integrations.adapters.orm import metadata

# Slack user → email, so a command from a known user costs no Slack call (system scope).
slack_users = Table(
    "slack_users",
    metadata,
    col.text("team_id", primary_key=True),
    col.text("user_id", primary_key=True),
    col.text("email", nullable=False),
    col.timestamp("fetched_at", nullable=False),
)

# The outbox of messages to post (a notification per event and channel, a reminder DM).
slack_messages = tenant_table(
    "slack_messages",
    metadata,
    col.text("dedupe_key", nullable=False),
    col.text("channel"),
    col.text("dm_email"),
    col.text("text", nullable=False),
    col.jsonb("blocks"),
    col.text("status", nullable=False),
    col.integer("attempts", nullable=False),
    col.timestamp("next_attempt_at", nullable=False),
    col.timestamp("give_up_at", nullable=False),
    col.text("last_error"),
    col.timestamp("sent_at"),
    col.created_at(nullable=False),
    UniqueConstraint("org_id", "dedupe_key", name="slack_messages_dedupe"),
)

slack_reminders = tenant_table(
    "slack_reminders",
    metadata,
    Column("day", Date, nullable=False),
    col.integer("recipients", nullable=False),
    col.created_at(nullable=False),
    UniqueConstraint("org_id", "day", name="slack_reminders_once_a_day"),
)

logged_entries = Table(
    "logged_entries",
    metadata,
    col.uuid("org_id", nullable=False),
    col.uuid("entry_id", primary_key=True),
    col.uuid("user_id", nullable=False),
    Column("day", Date, nullable=False),
    col.flag("live", nullable=False),
    col.timestamp("as_of", nullable=False),
)

known_orgs = Table(
    "known_orgs",
    metadata,
    col.uuid("org_id", primary_key=True),
    col.text("timezone", nullable=False),
    col.timestamp("as_of", nullable=False),
)
