"""Tables every service's database has: the outbox, the consumers' inbox and idempotency records
(each service's first migration creates them with `migrations.create_platform_tables()`), and
the shape every tenant table shares (`tenant_table`).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    LargeBinary,
    MetaData,
    Table,
    Text,
    func,
    text,
)
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
    # Whose key: "<org>/<user>[/key:<api key>]" of the caller, or "public" for unauthenticated
    # calls such as signup (uow.IdempotencyRecords.caller_scope).
    Column("scope", Text, primary_key=True),
    # The SHA-256 of "<full RPC name> <the client's key>" (a key belongs to one endpoint); the
    # fingerprint is an HMAC and the response AES-GCM sealed, keyed from the client's key
    # (uow.IdempotencyRecords): the table holds neither the keys nor the secrets answered.
    Column("key", Text, primary_key=True),
    Column("fingerprint", Text, nullable=False),
    Column("response", LargeBinary),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


def tenant_table(name: str, metadata: MetaData, *columns, **options) -> Table:
    """A table of tenant rows: an `id` primary key and the `org_id` that row-level security keys
    on (and that labs_common.db.repository.OrgScopedRepository filters by), then `columns`
    (columns, indexes and constraints, as for Table)."""
    return Table(
        name,
        metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),
        Column("org_id", UUID(as_uuid=True), nullable=False),
        *columns,
        **options,
    )
