"""The projects service's tables. Every table carries org_id under row-level security."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR, UUID

from labs_common.db.tables import tenant_table

metadata = MetaData()

clients = tenant_table(
    "clients",
    metadata,
    Column("name", Text, nullable=False),
    Column("email", Text, nullable=False, server_default=""),
    Column("currency", Text, nullable=False, server_default="USD"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("archived_at", DateTime(timezone=True)),
    Index("clients_org_created", "org_id", "created_at", "id"),
)

projects = tenant_table(
    "projects",
    metadata,
    Column("client_id", UUID(as_uuid=True), ForeignKey("clients.id")),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("status", Text, nullable=False),
    Column("priority", Text, nullable=False),
    Column("budget_type", Text, nullable=False),
    Column("budget_total", Numeric(14, 2)),
    Column("budget_currency", Text, nullable=False),
    Column("budget_hours", Numeric(10, 2)),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("billing_rate_override", Numeric(12, 2)),
    Column("project_manager_id", UUID(as_uuid=True)),
    Column("github_repo_url", Text, nullable=False, server_default=""),
    Column("slack_channel_id", Text, nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
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
    Column("project_id", UUID(as_uuid=True), ForeignKey("projects.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("goal", Text, nullable=False, server_default=""),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("status", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

tasks = tenant_table(
    "tasks",
    metadata,
    Column("project_id", UUID(as_uuid=True), ForeignKey("projects.id"), nullable=False),
    Column("parent_task_id", UUID(as_uuid=True), ForeignKey("tasks.id", ondelete="CASCADE")),
    Column("sprint_id", UUID(as_uuid=True), ForeignKey("sprints.id", ondelete="SET NULL")),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("status", Text, nullable=False),
    Column("priority", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("assignee_id", UUID(as_uuid=True)),
    Column("estimated_hours", Numeric(10, 2)),
    Column("story_points", Integer),
    Column("due_date", Date),
    Column("position", Integer, nullable=False),
    Column("completed_at", DateTime(timezone=True)),
    Column("created_by", UUID(as_uuid=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
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
)

# The activity feed: a read model of every event, written once and never changed.
activities = tenant_table(
    "activities",
    metadata,
    Column("source", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("entity_type", Text, nullable=False),
    Column("entity_id", Text, nullable=False, server_default=""),
    Column("project_id", UUID(as_uuid=True)),
    Column("user_id", UUID(as_uuid=True)),
    Column("metadata", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # The visibility policy's inputs (labs_common.visibility): the payload's message type, the
    # record readers it declares, and the person the record belongs to.
    Column("payload_type", Text, nullable=False, server_default=""),
    Column("readers", SmallInteger, nullable=False, server_default="0"),
    Column("owner_id", UUID(as_uuid=True)),
    Index("activities_org_readers", "org_id", "readers", "owner_id", "created_at"),
)

comments = tenant_table(
    "comments",
    metadata,
    Column("task_id", UUID(as_uuid=True), ForeignKey("tasks.id", ondelete="CASCADE"),
           nullable=False),
    Column("project_id", UUID(as_uuid=True), ForeignKey("projects.id"), nullable=False),
    Column("author_id", UUID(as_uuid=True), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("edited_at", DateTime(timezone=True)),
    Column("search", TSVECTOR, Computed("to_tsvector('english', body)", persisted=True)),
)

files = tenant_table(
    "files",
    metadata,
    Column("project_id", UUID(as_uuid=True), ForeignKey("projects.id"), nullable=False),
    Column("task_id", UUID(as_uuid=True), ForeignKey("tasks.id", ondelete="SET NULL")),
    Column("name", Text, nullable=False),
    Column("mime_type", Text, nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("uploaded_by", UUID(as_uuid=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
