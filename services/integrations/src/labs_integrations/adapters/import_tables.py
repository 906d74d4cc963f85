"""The tables of Jira and Asana imports (migration 0008) as SQLAlchemy Core, on integrations'
metadata."""

from __future__ import annotations

from sqlalchemy import Index, UniqueConstraint

from labs_common.db import columns as col
from labs_common.db.tables import tenant_table
from labs_integrations.adapters.orm import metadata

task_imports = tenant_table(
    "task_imports",
    metadata,
    col.uuid("connection_id", nullable=False),
    col.uuid("project_id", nullable=False),
    col.text("source", nullable=False),
    col.uuid("requested_by", nullable=False),
    col.created_at(nullable=False),
)

imported_tasks = tenant_table(
    "imported_tasks",
    metadata,
    col.text("platform", nullable=False),
    col.text("external_id", nullable=False),
    col.uuid("project_id", nullable=False),
    col.uuid("task_id", nullable=False),
    col.jsonb("applied", nullable=False),
    col.updated_at(nullable=False),
    UniqueConstraint("org_id", "platform", "external_id", name="imported_tasks_once"),
)
Index("task_imports_by_connection", task_imports.c.org_id, task_imports.c.connection_id)
