"""Outgoing webhooks' tables (migration 0003) as SQLAlchemy Core, on integrations' metadata."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Text, UniqueConstraint

from labs_common.db import columns as col
from labs_common.db.tables import tenant_table
from labs_integrations.adapters.orm import metadata

webhook_endpoints = tenant_table(
    "webhook_endpoints",
    metadata,
    col.text("url", nullable=False),
    # WebSocket event names ("task:updated") or "*".
    col.list_of("events", Text, nullable=False),
    # The signing secret, sealed by the Vault (aad: org, endpoint id, "webhook_secret").
    col.binary("secret", nullable=False),
    col.uuid("created_by", nullable=False),
    col.created_at(nullable=False),
    col.timestamp("deleted_at"),
)
Index("webhook_endpoints_live", webhook_endpoints.c.org_id, webhook_endpoints.c.created_at,
      postgresql_where=webhook_endpoints.c.deleted_at.is_(None))

webhook_deliveries = tenant_table(
    "webhook_deliveries",
    metadata,
    col.uuid("endpoint_id", ForeignKey("webhook_endpoints.id"), nullable=False),
    col.uuid("event_id", nullable=False),
    col.text("event_type", nullable=False),
    # The exact JSON sent: every attempt and redelivery sends the same bytes.
    col.text("body", nullable=False),
    col.text("status", nullable=False),
    col.integer("attempts", nullable=False),
    col.integer("last_status_code"),
    col.text("last_error"),
    col.created_at(nullable=False),
    col.timestamp("last_attempt_at"),
    col.timestamp("next_attempt_at"),
    col.timestamp("give_up_at", nullable=False),
    UniqueConstraint("endpoint_id", "event_id", name="webhook_deliveries_once"),
)
Index("webhook_deliveries_due", webhook_deliveries.c.status, webhook_deliveries.c.next_attempt_at)
Index("webhook_deliveries_by_endpoint", webhook_deliveries.c.org_id,
      webhook_deliveries.c.endpoint_id, webhook_deliveries.c.created_at.desc(),
      webhook_deliveries.c.id.desc())
