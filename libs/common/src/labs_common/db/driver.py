"""The platform's own statements on every event's path, sent straight through asyncpg.

Each event costs its writer an outbox insert, the relay a claim and a mark, and each consumer an
inbox claim. Through SQLAlchemy's execution path a statement costs about a third of a
millisecond of CPU, four times what asyncpg itself spends on it; these few are fixed text with
bound parameters, prepared once per connection by asyncpg's statement cache. They run on the
unit of work's own connection, inside its transaction, so they commit or roll back with it.
"""

from __future__ import annotations

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

# The outbox's rows of one transaction, however many, in one statement.
INSERT_OUTBOX = (
    "INSERT INTO outbox (id, subject, type, org_id, envelope) "
    "SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::bytea[])"
)
CLAIM_OUTBOX = (
    "SELECT id, subject, envelope FROM outbox WHERE published_at IS NULL "
    "ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED"
)
MARK_PUBLISHED = "UPDATE outbox SET published_at = now() WHERE id = ANY($1::uuid[])"
# Parked: never NULL again (not retried), never older than a retention (not pruned).
MARK_PARKED = "UPDATE outbox SET published_at = 'infinity' WHERE id = ANY($1::uuid[])"
CLAIM_EVENT = (
    "INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) "
    "ON CONFLICT DO NOTHING RETURNING event_id"
)


async def driver_of(connection: AsyncSession | AsyncConnection) -> asyncpg.Connection:
    """The asyncpg connection under a session's (or a connection's) open transaction."""
    if isinstance(connection, AsyncSession):
        connection = await connection.connection()
    return (await connection.get_raw_connection()).driver_connection
