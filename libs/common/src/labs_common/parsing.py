"""Turning request values (the strings and optional fields of a gRPC message) into typed values,
in entrypoints only: what is malformed becomes an InvalidArgument naming the field, so the gateway
answers 422 rather than 500, and handlers receive commands that are already typed."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from labs_common.errors import InvalidArgument, NotFound


def uuid_of(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise InvalidArgument.on(field, "must be a UUID") from error


def object_id(value: str, what: str) -> uuid.UUID:
    """The id of the object an RPC acts on (`GetX(id)`): a malformed one names nothing, so it
    is NOT_FOUND rather than a validation error."""
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise NotFound(f"No such {what}.") from error


def optional_uuid(value: str, field: str) -> uuid.UUID | None:
    """An id the caller may leave empty."""
    return uuid_of(value, field) if value else None


def date_of(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise InvalidArgument.on(field, "must be a date YYYY-MM-DD") from error


def optional_date(value: str, field: str) -> date | None:
    return date_of(value, field) if value else None


def decimal_of(value: str, field: str, *, places: int | None = None) -> Decimal:
    """A finite decimal number, as money and hours travel (a decimal string), with at most
    `places` decimals when given."""
    try:
        parsed = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as error:
        raise InvalidArgument.on(field, "must be a number") from error
    if not parsed.is_finite():
        raise InvalidArgument.on(field, "must be a number")
    if places is not None and parsed.as_tuple().exponent < -places:  # type: ignore[operator]
        raise InvalidArgument.on(field, f"must have at most {places} decimals")
    return parsed


def given(message: Any, name: str, default: Any = None) -> Any:
    """A proto3 `optional` field's value, or `default` when the caller left it out."""
    return getattr(message, name) if message.HasField(name) else default


def timestamp_of(message: Any, field: str) -> datetime:
    """A google.protobuf.Timestamp as an aware datetime (UTC)."""
    try:
        return message.ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError) as error:
        raise InvalidArgument.on(field, "must be a valid timestamp") from error


def optional_timestamp(message: Any, name: str) -> datetime | None:
    """The Timestamp field `name` of `message`, or None when it is not set."""
    return timestamp_of(getattr(message, name), name) if message.HasField(name) else None
