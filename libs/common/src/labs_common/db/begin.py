"""BEGIN and a transaction's settings in one round trip.

Every unit of work opens with BEGIN and `set_config` (the tenant that row-level security reads).
Through SQLAlchemy that is two round trips, the second through its whole execution path: about a
third of a millisecond of CPU on every transaction of every service, and one more wait on the
database. Sent as one simple-query message (`BEGIN; SELECT set_config(...)`) it is one.

asyncpg's own Transaction object still holds the transaction, so SQLAlchemy commits, rolls back
and resets the connection exactly as it does after its own BEGIN; only the start is ours.
"""

from __future__ import annotations

import uuid

from asyncpg import InterfaceError, PostgresConnectionError
from asyncpg.transaction import Transaction, TransactionState
from sqlalchemy.ext.asyncio import AsyncConnection


class ConnectionLost(ConnectionError):
    """The connection was gone before the transaction began (a restart, a failover): it has
    been invalidated, nothing was done, and the caller may begin again on a fresh one. A
    ConnectionError, so whoever handles a lost connection (UNAVAILABLE at the gRPC boundary, a
    retry for a consumer) handles this one."""


class _BeginWith(Transaction):
    """An asyncpg transaction whose BEGIN carries `statement` in the same message."""

    __slots__ = ("_statement",)

    def __init__(self, connection, statement: str) -> None:
        super().__init__(connection, None, False, False)
        self._statement = statement

    async def start(self) -> None:
        connection = self._connection
        if (self._state is not TransactionState.NEW or connection._top_xact is not None
                or connection._protocol.is_in_transaction()):
            raise InterfaceError("a transaction is already open on this connection")
        connection._top_xact = self
        try:
            await connection.execute(f"BEGIN; {self._statement}")
        except BaseException:
            connection._top_xact = None
            self._state = TransactionState.FAILED
            raise
        self._state = TransactionState.STARTED


async def begin_with(connection: AsyncConnection, statement: str) -> None:
    """Open `connection`'s transaction with `statement` run first, in one round trip. The
    statement is sent as text: literals only, never a value from outside (see tenant_settings)."""
    if not connection.in_transaction():
        await connection.begin()  # SQLAlchemy's side only: nothing is sent until a statement
    adapted = (await connection.get_raw_connection()).dbapi_connection
    transaction = _BeginWith(adapted._connection, statement)
    try:
        await transaction.start()
    except Exception as error:
        if adapted._connection.is_closed() or isinstance(
                error, (OSError, PostgresConnectionError)):
            await connection.invalidate()
            raise ConnectionLost(str(error)) from error
        raise
    adapted._transaction = transaction


def tenant_settings(org_id: uuid.UUID | None, system: bool) -> str:
    """The settings row-level security reads, as SQL text: an org id (a UUID, so nothing to
    quote) or none, and the scope."""
    org = "" if org_id is None else str(uuid.UUID(str(org_id)))
    scope = "system" if system else "tenant"
    return (f"SELECT set_config('labs.org_id', '{org}', true), "
            f"set_config('labs.scope', '{scope}', true)")
