"""The tables of links and Figma's webhooks (migration 0009) as SQLAlchemy Core, on
integrations' metadata."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint

from labs_common.db import columns as col
from labs_common.db.tables import tenant_table
from labs_integrations.adapters.orm import metadata

links = tenant_table(
    "links",
    metadata,
    col.uuid("project_id", nullable=False),
    col.uuid("task_id"),
    col.text("platform", nullable=False),
    col.text("target_key", nullable=False),
    col.text("url", nullable=False),
    col.text("title"),
    col.text("thumbnail_url"),
    col.timestamp("changed_at"),
    col.uuid("created_by", nullable=False),
    col.created_at(nullable=False),
    col.timestamp("fetched_at"),
    col.timestamp("due_at", nullable=False),
    col.integer("attempts", nullable=False),
    col.text("last_error"),
)

figma_hooks = tenant_table(
    "figma_hooks",
    metadata,
    col.uuid("connection_id", nullable=False, unique=True),
    col.binary("passcode_hash", nullable=False, unique=True),
    col.binary("passcode", nullable=False),
    col.timestamp("registered_for"),
    col.text("team_id"),
    col.jsonb("webhook_ids", nullable=False),
    col.timestamp("next_attempt_at", nullable=False),
    col.integer("attempts", nullable=False),
    col.text("last_error"),
    col.updated_at(nullable=False),
)

figma_deliveries = tenant_table(
    "figma_deliveries",
    metadata,
    col.text("delivery_key", nullable=False),
    col.text("event_type", nullable=False),
    col.text("file_key", nullable=False),
    col.jsonb("payload", nullable=False),
    col.timestamp("received_at", nullable=False),
    col.timestamp("applied_at"),
    col.integer("attempts", nullable=False),
    col.timestamp("next_attempt_at", nullable=False),
    col.text("last_error"),
    UniqueConstraint("org_id", "delivery_key", name="figma_deliveries_once"),
)
