"""Tables every service's database has: the outbox, the consumers' inbox and idempotency records.

Each service's first migration creates them with `migrations.create_platform_tables()`.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, LargeBinary, MetaData, Table, Text, func, text
from sqlalchemy.dialects.postgresql import UUID

platform_metadata = MetaData()

outbox = Table(
    "outbox",
    platform_metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("subject", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("org_id", UUID(as_uuid=True)),
    # A serialized labs.events.v1.Envelope, published as is.
    Column("envelope", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True)),
    Index("outbox_unpublished", "created_at", postgresql_where=text("published_at IS NULL")),
)

processed_events = Table(
    "processed_events",
    platform_metadata,
    Column("consumer", Text, primary_key=True),
    Column("event_id", UUID(as_uuid=True), primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

idempotency_keys = Table(
    "idempotency_keys",
    platform_metadata,
    # The org of the caller, or "public" for unauthenticated calls such as signup.
    Column("scope", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("fingerprint", Text, nullable=False),
    Column("response", LargeBinary),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
