"""Linear's tables (migration 0010) as SQLAlchemy Core, on integrations' metadata."""

from __future__ import annotations

from sqlalchemy import Table, UniqueConstraint, text

from labs_common.db import columns as col
from labs_common.db.tables import tenant_table
from labs_integrations.adapters.issue_sync_tables import issue_push_queue, webhook_inbox
from labs_integrations.adapters.orm import metadata

# Webhooks as received, before the tenant is known (a delivery names a Linear workspace, which
# several Labs organizations may have connected): read and written in a system scope.
linear_deliveries = webhook_inbox("linear_deliveries", col.text("type", nullable=False),
                                  col.text("action"), col.text("organization_id"))

linear_issue_links = tenant_table(
    "linear_issue_links",
    metadata,
    col.uuid("project_id", nullable=False),
    col.uuid("task_id", nullable=False),
    col.text("issue_id", nullable=False),
    col.text("identifier", nullable=False),
    col.text("team_id", nullable=False),
    col.text("last_title", nullable=False),
    col.text("last_description_hash", nullable=False),
    col.text("last_state_id", nullable=False),
    col.text("last_status", nullable=False),
    col.text("last_assignee_id", nullable=False, server_default=""),
    col.integer("last_estimate"),
    col.flag("applying", nullable=False, server_default=text("false")),
    col.flag("removed", nullable=False, server_default=text("false")),
    col.timestamp("issue_updated_at"),
    col.timestamp("synced_at", nullable=False, server_default=col.now()),
    UniqueConstraint("org_id", "issue_id", name="linear_issue_links_issue"),
    UniqueConstraint("org_id", "task_id", name="linear_issue_links_task"),
)

linear_issue_pushes = issue_push_queue("linear_issue_pushes", "linear_issue_links",
                                       col.text("title"), col.text("task_status"))

linear_cursors = Table(
    "linear_cursors",
    metadata,
    col.uuid("org_id", primary_key=True),
    col.text("scope", primary_key=True),
    col.timestamp("since", nullable=False),
)

__all__ = ["linear_cursors", "linear_deliveries", "linear_issue_links", "linear_issue_pushes"]
