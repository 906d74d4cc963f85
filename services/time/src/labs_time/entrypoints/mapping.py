"""Mapping gRPC request fields in and page tokens out: malformed values become InvalidArgument
naming the field, so the gateway answers 422 rather than 500."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime

from labs_common.errors import InvalidArgument
from labs_common.pagination import decode_cursor, encode_cursor
from labs_time.domain import rules


def as_uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise InvalidArgument.on(field, "must be a UUID") from error


def opt_uuid(value: str, field: str) -> uuid.UUID | None:
    return as_uuid(value, field) if value else None


def opt_date(value: str, field: str) -> date | None:
    return rules.parse_date(value, field) if value else None


def given(request, name: str, default=None):
    """An optional (proto3 `optional`) field's value, or `default` when the caller left it out."""
    return getattr(request, name) if request.HasField(name) else default


def timestamp(message, field: str) -> datetime:
    try:
        return message.ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError) as error:
        raise InvalidArgument.on(field, "must be a valid timestamp") from error


def opt_timestamp(request, name: str) -> datetime | None:
    return timestamp(getattr(request, name), name) if request.HasField(name) else None


def position(token: str) -> tuple[date, uuid.UUID] | None:
    """Where a (date, id)-ordered page resumes, from a page token this API returned."""
    decoded = decode_cursor(token, 2)
    if decoded is None:
        return None
    try:
        return date.fromisoformat(decoded[0]), uuid.UUID(decoded[1])
    except ValueError as error:
        raise InvalidArgument.on("cursor", "is not a cursor this API returned") from error


def next_token(items: list, limit: int, key: Callable) -> str:
    """The token of the next page; `items` was fetched with one extra row to know there is one."""
    if len(items) <= limit:
        return ""
    when, ident = key(items[limit - 1])
    return encode_cursor(when.isoformat(), str(ident))
