"""What a test asks of a service's database directly (schema checks such as migration tests)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

from labs_common.db.migrations import FINGERPRINT_TABLE


async def public_tables(url: URL) -> set[str]:
    """The tables in the database's public schema, the migrations' bookkeeping left out."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            )
            return {row[0] for row in rows} - {"alembic_version", FINGERPRINT_TABLE}
    finally:
        await engine.dispose()
