"""Opaque keyset cursors: `page_token` in gRPC, `cursor` in REST, the same string.

A page is fetched with one row more than asked, so `next_page_token` can tell whether another
follows; the cursor holds the sort key of the page's last row, typed on the way back in by
`position`."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from labs_common.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500

_NOT_OURS = "is not a cursor this API returned"


def page_size(requested: int) -> int:
    if requested < 0:
        raise InvalidArgument.on("limit", "must not be negative")
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def encode_cursor(*position: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def decode_cursor(token: str, arity: int) -> list[str] | None:
    if not token:
        return None
    try:
        position = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except ValueError as error:
        raise InvalidArgument.on("cursor", _NOT_OURS) from error
    if not isinstance(position, list) or len(position) != arity:
        raise InvalidArgument.on("cursor", _NOT_OURS)
    return [str(part) for part in position]


# How each part of a sort key is written into a cursor and read back.
_READERS: dict[type, Callable[[str], Any]] = {
    datetime: datetime.fromisoformat,
    date: date.fromisoformat,
    uuid.UUID: uuid.UUID,
    int: int,
    str: str,
}


def position(token: str, *types: type) -> tuple | None:
    """Where a page resumes: the sort key in `token`, each part read as its type (datetime, date,
    UUID, int or str); None for the first page."""
    parts = decode_cursor(token, len(types))
    if parts is None:
        return None
    try:
        return tuple(_READERS[kind](part) for kind, part in zip(types, parts, strict=True))
    except ValueError as error:
        raise InvalidArgument.on("cursor", _NOT_OURS) from error


def _written(part: Any) -> str:
    return part.isoformat() if isinstance(part, date) else str(part)


def next_page_token(items: Sequence, limit: int, key: Callable[[Any], tuple] | None = None) -> str:
    """The token of the page after the first `limit` of `items` ('' when there is none):
    `key` answers the sort key of a row, in the order `position` reads it (by default its
    creation time and id)."""
    if len(items) <= limit:
        return ""
    return encode_cursor(*(_written(part) for part in (key or by_creation)(items[limit - 1])))


def by_creation(item: Any) -> tuple:
    """The most common sort key: creation time, then id."""
    return item.created_at, item.id


def after_creation(token: str) -> tuple | None:
    """Where a page ordered by (created_at, id) resumes."""
    return position(token, datetime, uuid.UUID)
