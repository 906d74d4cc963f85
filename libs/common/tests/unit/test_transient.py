"""Outages are told apart from poison, also when SQLAlchemy wraps the driver's error."""

from __future__ import annotations

import asyncpg
import nats.errors
import pytest
from sqlalchemy import exc as sa

from labs_common.errors import Conflict, InvalidArgument, Unavailable
from labs_common.transient import is_transient


def wrapped(error: Exception) -> sa.DBAPIError:
    """What a unit of work raises: SQLAlchemy's error over its adapter's over asyncpg's."""
    try:
        try:
            raise error
        except Exception as cause:
            raise sa.DBAPIError("SELECT 1", {}, cause) from cause
    except sa.DBAPIError as outer:
        return outer


@pytest.mark.parametrize(
    "error",
    [
        wrapped(asyncpg.exceptions.AdminShutdownError("terminating connection")),
        wrapped(asyncpg.exceptions.CannotConnectNowError("the database system is starting up")),
        wrapped(asyncpg.exceptions.TooManyConnectionsError("too many clients")),
        wrapped(asyncpg.exceptions.SerializationError("could not serialize access")),
        wrapped(asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")),
        sa.OperationalError("SELECT 1", {}, ConnectionRefusedError(111, "refused")),
        sa.InterfaceError("SELECT 1", {}, Exception("connection is closed")),
        ConnectionRefusedError(111, "Connect call failed"),
        TimeoutError(),
        nats.errors.OutboundBufferLimitError(),
        nats.errors.NoRespondersError(),
        Unavailable("identity is unavailable"),
    ],
    ids=repr,
)
def test_infrastructure_failures_are_transient(error):
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        wrapped(asyncpg.exceptions.UniqueViolationError("duplicate key")),
        wrapped(asyncpg.exceptions.InvalidTextRepresentationError("invalid input syntax")),
        InvalidArgument.on("hours", "must be positive"),
        Conflict("The entry is invoiced."),
        ValueError("badly formed hexadecimal UUID string"),
        KeyError("project"),
    ],
    ids=repr,
)
def test_poison_is_not(error):
    assert not is_transient(error)


def test_an_error_raised_while_handling_an_outage_still_counts_as_the_outage():
    try:
        try:
            raise ConnectionResetError(104, "reset by peer")
        except ConnectionResetError:
            raise RuntimeError("rollback failed")  # noqa: B904 - the implicit context is the point
    except RuntimeError as error:
        assert is_transient(error)
