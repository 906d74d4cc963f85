"""GitHub's tables (migration 0004) as SQLAlchemy Core, on integrations' metadata."""

from __future__ import annotations

from sqlalchemy import Index, Table, UniqueConstraint, text

from labs_common.db import columns as col
from labs_common.db.tables import tenant_table
from labs_integrations.adapters.orm import metadata
from labs_integrations.adapters.push_tables import issue_push_queue

# Webhooks as received, before the tenant is known: read and written in a system scope.
github_deliveries = Table(
    "github_deliveries",
    metadata,
    col.text("delivery_id", primary_key=True),
    col.text("event", nullable=False),
    col.text("action"),
    col.text("repository"),
    col.jsonb("payload", nullable=False),
    col.timestamp("received_at", nullable=False, server_default=col.now()),
    col.timestamp("applied_at"),
    col.integer("attempts", nullable=False, server_default="0"),
    col.timestamp("next_attempt_at", nullable=False, server_default=col.now()),
    col.text("last_error"),
    col.uuids("applied_orgs", nullable=False, server_default=text("'{}'::uuid[]")),
)
Index("github_deliveries_due", github_deliveries.c.next_attempt_at,
      postgresql_where=github_deliveries.c.applied_at.is_(None))

github_issue_links = tenant_table(
    "github_issue_links",
    metadata,
    col.uuid("project_id", nullable=False),
    col.uuid("task_id", nullable=False),
    col.text("repository", nullable=False),
    col.integer("issue_number", nullable=False),
    col.text("last_title", nullable=False),
    col.text("last_state", nullable=False),
    col.text("last_body_hash", nullable=False),
    col.flag("applying", nullable=False, server_default=text("false")),
    col.timestamp("issue_updated_at"),
    col.timestamp("synced_at", nullable=False, server_default=col.now()),
    UniqueConstraint("org_id", "repository", "issue_number", name="github_issue_links_issue"),
    UniqueConstraint("org_id", "task_id", name="github_issue_links_task"),
)

github_issue_pushes = issue_push_queue("github_issue_pushes", "github_issue_links",
                                       col.text("title"), col.text("state"))

github_cursors = Table(
    "github_cursors",
    metadata,
    col.uuid("org_id", primary_key=True),
    col.text("repository", primary_key=True),
    col.timestamp("since", nullable=False),
)

__all__ = ["github_cursors", "github_deliveries", "github_issue_links",
           "github_issue_pushes"]
