"""Linear's tables (migration 0010) as SQLAlchemy Core, on integrations' metadata."""

from __future__ import annotations

from sqlalchemy import Index, Table, UniqueConstraint, text

from labs_common.db import columns as col
from labs_common.db.tables import tenant_table
from labs_integrations.adapters.orm import metadata
from labs_integrations.adapters.push_tables import issue_push_queue

# Webhooks as received, before the tenant is known (a delivery names a Linear workspace, which
# several Labs organizations may have connected): read and written in a system scope.
linear_deliveries = Table(
    "linear_deliveries",
    metadata,
    col.text("delivery_id", primary_key=True),
    col.text("type", nullable=False),
    col.text("action"),
    col.text("organization_id"),
    col.jsonb("payload", nullable=False),
    col.timestamp("received_at", nullable=False, server_default=col.now()),
    col.timestamp("applied_at"),
    col.integer("attempts", nullable=False, server_default="0"),
    col.timestamp("next_attempt_at", nullable=False, server_default=col.now()),
    col.text("last_error"),
    col.uuids("applied_orgs", nullable=False, server_default=text("'{}'::uuid[]")),
)
Index("linear_deliveries_due", linear_deliveries.c.next_attempt_at,
      postgresql_where=linear_deliveries.c.applied_at.is_(None))

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
