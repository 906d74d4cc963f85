"""Text PostgreSQL cannot store (a NUL character) is the caller's mistake: INVALID_ARGUMENT (422),
not INTERNAL (500), however SQLAlchemy wraps asyncpg's error."""

from __future__ import annotations

import asyncpg
import grpc
import pytest
from sqlalchemy.exc import DBAPIError

from labs_common.grpc.interceptors import ErrorInterceptor
from labs_common.grpc.status import unstorable_text


class _Context:
    status: grpc.Status | None = None

    async def abort_with_status(self, status: grpc.Status) -> None:
        self.status = status
        raise grpc.aio.AbortError()


class _AdaptedError(Exception):
    """Like SQLAlchemy's asyncpg adapter error: the driver's error is its cause."""


def _nul_in_text() -> DBAPIError:
    driver = asyncpg.exceptions.CharacterNotInRepertoireError(
        'invalid byte sequence for encoding "UTF8": 0x00')
    try:
        raise _AdaptedError("<class 'asyncpg.exceptions.CharacterNotInRepertoireError'>") \
            from driver
    except _AdaptedError as adapted:
        return DBAPIError("INSERT INTO time_entries ...", {}, adapted)


@pytest.mark.parametrize("error", [
    _nul_in_text(),
    DBAPIError("INSERT ...", {}, asyncpg.exceptions.UntranslatableCharacterError(
        "unsupported Unicode escape sequence")),
])
async def test_a_nul_in_text_is_an_invalid_argument(error):
    async def behavior(_request, _context):
        raise error

    context = _Context()
    with pytest.raises(grpc.aio.AbortError):
        await ErrorInterceptor().around(behavior, None, context, "/labs.time.v1.TimeService/X")
    assert context.status.code == grpc.StatusCode.INVALID_ARGUMENT


def test_other_database_errors_are_not_blamed_on_the_input():
    other = DBAPIError("SELECT ...", {}, asyncpg.exceptions.UndefinedColumnError("no column"))
    assert unstorable_text(other) is None
