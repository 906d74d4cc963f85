"""The async engine of a service's own database, created once in main()."""

from __future__ import annotations

import asyncpg
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from labs_common.config import ServiceSettings

# Row-level security never applies to a superuser, so a superuser connection (the embedded
# PostgreSQL of `make up`) acts as this role; a regular owner in production is held by FORCE RLS.
APP_ROLE = "labs_app"
CONNECT_TIMEOUT_SECONDS = 10


def create_engine(settings: ServiceSettings, role: str | None = None) -> AsyncEngine:
    """The service's engine; every connection acts as `role` when one is given."""
    return create_async_engine(
        settings.sqlalchemy_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        # No pre-ping: it cost every checkout a BEGIN and a ROLLBACK, a third of a read's round
        # trips. A connection a restarted PostgreSQL dropped fails the transaction's first
        # statement instead, which invalidates the pool, and the unit of work opens the
        # transaction again on a fresh connection (labs_common.db.uow): nothing had been done.
        pool_pre_ping=False,
        connect_args={
            # An unreachable server fails a connection in seconds (asyncpg waits 60 by default),
            # so callers and background loops see the outage and back off.
            "timeout": CONNECT_TIMEOUT_SECONDS,
            # A startup parameter, not a SET: a rolled-back transaction cannot undo it.
            **({"server_settings": {"role": role}} if role else {}),
        },
    )


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def app_role(url: URL) -> str | None:
    """APP_ROLE when we connect as a superuser (row-level security would not hold us)."""
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        is_superuser, role_exists = await connection.fetchrow(
            "SELECT rolsuper, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) "
            "FROM pg_roles WHERE rolname = current_user",
            APP_ROLE,
        )
    finally:
        await connection.close()
    return APP_ROLE if is_superuser and role_exists else None


def asyncpg_dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def ensure_database(url: URL) -> None:
    """Create the database named in `url` when it is missing (first start of a service)."""
    try:
        connection = await asyncpg.connect(asyncpg_dsn(url))
    except asyncpg.InvalidCatalogNameError:
        admin = await asyncpg.connect(asyncpg_dsn(url.set(database="postgres")))
        try:
            await admin.execute(f'CREATE DATABASE "{url.database}"')
        except asyncpg.DuplicateDatabaseError:
            pass  # another replica created it first
        finally:
            await admin.close()
    else:
        await connection.close()
