"""Which failures are the infrastructure's, not the work's: PostgreSQL or NATS unreachable or
restarting, a connection dropped, another service unavailable. Work that failed so is tried again
later (it will succeed once the dependency is back); only the rest is poison.

SQLAlchemy wraps asyncpg's errors (a restarting server's AdminShutdownError arrives as a plain
DBAPIError), so the whole chain of causes is looked at, not only the outermost error.
"""

from __future__ import annotations

import asyncpg
import nats.errors
import nats.js.errors
from sqlalchemy import exc as sa

from labs_common.errors import DeadlineExceeded, Unavailable, causes

_TRANSIENT: tuple[type[BaseException], ...] = (
    OSError,  # ConnectionError, refused, reset, unreachable
    TimeoutError,  # asyncio's and nats-py's timeouts
    # PostgreSQL: connection exceptions (08), operator intervention (57: shutdown, restart,
    # cannot connect now, cancelled), insufficient resources (53: too many connections) and
    # transaction rollback (40: serialization failure, deadlock) all pass on their own.
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.TransactionRollbackError,
    asyncpg.InterfaceError,  # "connection is closed", "another operation is in progress"
    sa.OperationalError,
    sa.InterfaceError,
    sa.TimeoutError,  # no connection free in the pool in time
    sa.DisconnectionError,
    # NATS: disconnected, reconnecting, the reconnect buffer full, no stream answering yet.
    nats.errors.ConnectionClosedError,
    nats.errors.ConnectionReconnectingError,
    nats.errors.ConnectionDrainingError,
    nats.errors.OutboundBufferLimitError,
    nats.errors.StaleConnectionError,
    nats.errors.NoRespondersError,
    nats.errors.NoServersError,
    nats.js.errors.ServiceUnavailableError,
    nats.js.errors.NoStreamResponseError,
    # Another service down or slow, as its client reports it.
    Unavailable,
    DeadlineExceeded,
)


def is_transient(error: BaseException) -> bool:
    """True when `error`, or anything that caused it, is an infrastructure failure."""
    return any(
        isinstance(cause, _TRANSIENT)
        or (isinstance(cause, sa.DBAPIError) and cause.connection_invalidated)
        for cause in causes(error)
    )
