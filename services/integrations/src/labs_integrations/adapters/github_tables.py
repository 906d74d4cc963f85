"""GitHub's tables (migration 0004) as SQLAlchemy Core, on integrations' metadata."""

from __future__ import annotations

from sqlalchemy import Table, UniqueConstraint, text

from labs_common.db import columns as col
from labs_common.db.tables import tenant_table
from labs_integrations.adapters.issue_sync_tables import issue_push_queue, webhook_inbox
from labs_integrations.adapters.orm import metadata

# Webhooks as received, before the tenant is known: read and written in a system scope.
github_deliveries = webhook_inbox("github_deliveries", col.text("event", nullable=False),
                                  col.text("action"), col.text("repository"))

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
