"""The projects service's tables. Every table carries org_id under row-level security."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Computed, ForeignKey, Index, MetaData, text
from sqlalchemy.dialects.postgresql import TSVECTOR

from labs_common.db import columns as col
from labs_common.db.tables import tenant_table

metadata = MetaData()

clients = tenant_table(
    "clients",
    metadata,
    col.text("name", nullable=False),
    col.text("email", nullable=False, server_default=""),
    col.text("currency", nullable=False, server_default="USD"),
    *col.timestamps(nullable=False, server_default=col.now()),
    col.timestamp("archived_at"),
    Index("clients_org_created", "org_id", "created_at", "id"),
)

projects = tenant_table(
    "projects",
    metadata,
    col.uuid("client_id", ForeignKey("clients.id")),
    col.text("name", nullable=False),
    col.text("description", nullable=False, server_default=""),
    col.text("status", nullable=False),
    col.text("priority", nullable=False),
    col.text("budget_type", nullable=False),
    col.money("budget_total"),
    col.text("budget_currency", nullable=False),
    col.hours("budget_hours", digits=10),
    col.day("start_date"),
    col.day("end_date"),
    col.rate("billing_rate_override"),
    col.uuid("project_manager_id"),
    col.text("github_repo_url", nullable=False, server_default=""),
    col.text("slack_channel_id", nullable=False, server_default=""),
    *col.timestamps(nullable=False, server_default=col.now()),
    Column(
        "search",
        TSVECTOR,
        Computed(
            "setweight(to_tsvector('english', name), 'A')"
            " || setweight(to_tsvector('english', description), 'B')",
            persisted=True,
        ),
    ),
    Index("projects_org_created", "org_id", "created_at", "id"),
    Index("projects_org_client", "org_id", "client_id"),
)

sprints = tenant_table(
    "sprints",
    metadata,
    col.uuid("project_id", ForeignKey("projects.id"), nullable=False),
    col.text("name", nullable=False),
    col.text("goal", nullable=False, server_default=""),
    col.day("start_date", nullable=False),
    col.day("end_date", nullable=False),
    col.text("status", nullable=False),
    *col.timestamps(nullable=False, server_default=col.now()),
)

tasks = tenant_table(
    "tasks",
    metadata,
    col.uuid("project_id", ForeignKey("projects.id"), nullable=False),
    col.uuid("parent_task_id", ForeignKey("tasks.id", ondelete="CASCADE")),
    col.uuid("sprint_id", ForeignKey("sprints.id", ondelete="SET NULL")),
    col.text("title", nullable=False),
    col.text("description", nullable=False, server_default=""),
    col.text("status", nullable=False),
    col.text("priority", nullable=False),
    col.text("type", nullable=False),
    col.uuid("assignee_id"),
    col.hours("estimated_hours", digits=10),
    col.integer("story_points"),
    col.day("due_date"),
    col.integer("position", nullable=False),
    col.timestamp("completed_at"),
    col.uuid("created_by"),
    *col.timestamps(nullable=False, server_default=col.now()),
    # Migration 0008: unique per project where set (tasks_github_issue).
    col.integer("github_issue_number"),
    Column(
        "search",
        TSVECTOR,
        Computed(
            "setweight(to_tsvector('english', title), 'A')"
            " || setweight(to_tsvector('english', description), 'B')",
            persisted=True,
        ),
    ),
    CheckConstraint("position >= 0", name="tasks_position"),
    CheckConstraint("github_issue_number IS NULL OR github_issue_number > 0",
                    name="tasks_github_issue_positive"),
    Index("tasks_github_issue", "project_id", "github_issue_number", unique=True,
          postgresql_where=text("github_issue_number IS NOT NULL")),
)

# The activity feed: a read model of every event, written once and never changed.
activities = tenant_table(
    "activities",
    metadata,
    col.text("source", nullable=False),
    col.text("action", nullable=False),
    col.text("entity_type", nullable=False),
    col.text("entity_id", nullable=False, server_default=""),
    col.uuid("project_id"),
    col.uuid("user_id"),
    col.jsonb("metadata", nullable=False),
    col.created_at(nullable=False),
    col.timestamp("recorded_at", nullable=False, server_default=col.now()),
    # The visibility policy's inputs (labs_common.visibility): the payload's message type, the
    # record readers it declares, and the person the record belongs to.
    col.text("payload_type", nullable=False, server_default=""),
    col.small_integer("readers", nullable=False, server_default="0"),
    col.uuid("owner_id"),
    Index("activities_org_readers", "org_id", "readers", "owner_id", "created_at"),
)

comments = tenant_table(
    "comments",
    metadata,
    col.uuid("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False),
    col.uuid("project_id", ForeignKey("projects.id"), nullable=False),
    col.uuid("author_id", nullable=False),
    col.text("body", nullable=False),
    *col.timestamps(nullable=False, server_default=col.now()),
    col.timestamp("edited_at"),
    Column("search", TSVECTOR, Computed("to_tsvector('english', body)", persisted=True)),
)

files = tenant_table(
    "files",
    metadata,
    col.uuid("project_id", ForeignKey("projects.id"), nullable=False),
    col.uuid("task_id", ForeignKey("tasks.id", ondelete="SET NULL")),
    col.text("name", nullable=False),
    col.text("mime_type", nullable=False),
    col.big_integer("size_bytes", nullable=False),
    col.integer("version", nullable=False),
    col.text("sha256", nullable=False),
    col.uuid("uploaded_by"),
    col.created_at(nullable=False, server_default=col.now()),
)
