"""Integrations' tables as SQLAlchemy Core (the migrations create them explicitly).

Tenant tables carry `org_id` under row-level security. The few tables a platform's webhook must
search before it knows the tenant (which organizations link a GitHub repository, which one owns a
Slack workspace) are read in a system scope and hold ids only."""

from __future__ import annotations

from sqlalchemy import Index, MetaData, Table, UniqueConstraint

from labs_common.db import columns as col
from labs_common.db.tables import tenant_table

metadata = MetaData()

# --- connections (0002) ------------------------------------------------------------------------

connections = tenant_table(
    "connections",
    metadata,
    col.text("platform", nullable=False),
    col.text("status", nullable=False),
    col.text("account_name", nullable=False),
    # The platform's id of the account (a Slack team id, a GitHub user id), for webhooks.
    col.text("external_account_id", nullable=False),
    col.jsonb("settings", nullable=False),
    # AES-GCM of the credentials' JSON; NULL once deleted (the row stays for its sync logs).
    col.binary("credentials"),
    col.text("credentials_key_id"),
    # Deleted credentials waiting to be revoked at the platform (after the answer).
    col.binary("revoke_credentials"),
    col.uuid("connected_by", nullable=False),
    col.timestamp("connected_at", nullable=False),
    col.timestamp("last_sync_at"),
    col.text("last_sync_status"),
    col.text("last_sync_error"),
    col.timestamp("next_sync_at"),
    col.timestamp("deleted_at"),
    col.updated_at(nullable=False),
)
Index("connections_one_per_platform", connections.c.org_id, connections.c.platform,
      unique=True, postgresql_where=connections.c.deleted_at.is_(None))

oauth_states = tenant_table(
    "oauth_states",
    metadata,
    col.text("platform", nullable=False),
    # SHA-256 of the state: the state itself is a bearer secret until used.
    col.binary("state_hash", nullable=False, unique=True),
    col.text("redirect_url", nullable=False),
    col.uuid("created_by", nullable=False),
    col.timestamp("expires_at", nullable=False),
    col.timestamp("used_at"),
    col.created_at(nullable=False),
)

sync_logs = tenant_table(
    "sync_logs",
    metadata,
    col.uuid("connection_id", nullable=False),
    col.text("trigger", nullable=False),
    col.text("status", nullable=False),
    col.integer("records_synced", nullable=False),
    col.jsonb("errors", nullable=False),
    col.timestamp("started_at"),
    col.timestamp("finished_at"),
    col.created_at(nullable=False),
)
Index("sync_logs_by_connection", sync_logs.c.org_id, sync_logs.c.connection_id,
      sync_logs.c.created_at.desc(), sync_logs.c.id.desc())

# --- read model of other services' data, fed by their events (0002) ----------------------------

known_projects = Table(
    "known_projects",
    metadata,
    col.uuid("project_id", primary_key=True),
    col.uuid("org_id", nullable=False),
    col.text("name", nullable=False),
    col.uuid("client_id"),
    col.text("status", nullable=False),
    # "owner/name", lowercased, from github_repo_url; NULL when the project links none.
    col.text("github_repository"),
    col.text("slack_channel_id"),
    col.flag("archived", nullable=False),
    col.timestamp("as_of", nullable=False),
)
Index("known_projects_by_repository", known_projects.c.github_repository)

known_members = Table(
    "known_members",
    metadata,
    col.uuid("org_id", primary_key=True),
    col.uuid("user_id", primary_key=True),
    # Lowercased: Slack and GitHub emails are matched case-insensitively.
    col.text("email", nullable=False),
    col.text("name", nullable=False),
    col.text("role", nullable=False),
    col.flag("active", nullable=False),
    col.timestamp("as_of", nullable=False),
    UniqueConstraint("org_id", "email", name="known_members_email"),
)
