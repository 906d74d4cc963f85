"""The async engine of a service's own database, created once in main()."""

from __future__ import annotations

import time

import asyncpg
from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from labs_common.config import ServiceSettings

# Row-level security never applies to a superuser, so a superuser connection (the embedded
# PostgreSQL of `make up`) acts as this role; a regular owner in production is held by FORCE RLS.
APP_ROLE = "labs_app"
CONNECT_TIMEOUT_SECONDS = 10
# The server closes an idle pooled connection this long after the pool stops handing it out, so
# the pool never hands out one the server may be closing at that moment.
IDLE_GRACE_SECONDS = 5.0
_IDLE_SINCE = "labs_idle_since"


def create_engine(settings: ServiceSettings, role: str | None = None) -> AsyncEngine:
    """The service's engine; every connection acts as `role` when one is given.

    Idle connections go away: each asks the server to close it once it has been idle for
    `database_idle_seconds` (plus a grace), and the pool, last in first out, keeps reusing the
    connections it used last, so the ones a burst opened sink to the bottom and are closed by the
    server. A connection idle past its time is replaced at checkout without a round trip."""
    idle_ms = round((settings.database_idle_seconds + IDLE_GRACE_SECONDS) * 1000)
    engine = create_async_engine(
        settings.sqlalchemy_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        pool_use_lifo=True,
        # No pre-ping: it cost every checkout a BEGIN and a ROLLBACK, a third of a read's round
        # trips. A connection a restarted PostgreSQL dropped fails the transaction's first
        # statement instead, which invalidates the pool, and the unit of work opens the
        # transaction again on a fresh connection (labs_common.db.uow): nothing had been done.
        pool_pre_ping=False,
        connect_args={
            # An unreachable server fails a connection in seconds (asyncpg waits 60 by default),
            # so callers and background loops see the outage and back off.
            "timeout": CONNECT_TIMEOUT_SECONDS,
            # Startup parameters, not SETs: a rolled-back transaction cannot undo them.
            "server_settings": {
                "idle_session_timeout": str(idle_ms),
                **({"role": role} if role else {}),
            },
        },
    )
    _replace_when_idle_past(engine, settings.database_idle_seconds)
    return engine


def _replace_when_idle_past(engine: AsyncEngine, seconds: float) -> None:
    """A connection back in the pool longer than `seconds` is one the server is about to close
    or has closed: the checkout reconnects it (DisconnectionError is the pool's signal for
    that) instead of failing the caller's first statement."""
    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(dbapi_connection, record) -> None:
        if dbapi_connection is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _taken(dbapi_connection, record, proxy) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is not None and time.monotonic() - since >= seconds:
            raise DisconnectionError("idle past database_idle_seconds; the server closes it")


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
