"""The async engine of a service's own database, created once in main()."""

from __future__ import annotations

import asyncpg
from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from labs_common.config import ServiceSettings

# Row-level security never applies to a superuser, so a superuser connection (the embedded
# PostgreSQL of `make up`) acts as this role; a regular owner in production is held by FORCE RLS.
APP_ROLE = "labs_app"


def create_engine(settings: ServiceSettings) -> AsyncEngine:
    engine = create_async_engine(
        settings.sqlalchemy_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        pool_pre_ping=True,
    )
    event.listen(engine.sync_engine, "connect", _drop_superuser)
    return engine


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def _drop_superuser(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(
        "SELECT rolsuper, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) "
        "FROM pg_roles WHERE rolname = current_user",
        (APP_ROLE,),
    )
    is_superuser, app_role_exists = cursor.fetchone()
    if is_superuser and app_role_exists:
        cursor.execute(f"SET ROLE {APP_ROLE}")
    cursor.close()


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
