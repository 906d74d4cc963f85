"""Opaque keyset cursors: `page_token` in gRPC, `cursor` in REST, the same string."""

from __future__ import annotations

import base64
import json

from labs_common.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


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
        raise InvalidArgument.on("cursor", "is not a cursor this API returned") from error
    if not isinstance(position, list) or len(position) != arity:
        raise InvalidArgument.on("cursor", "is not a cursor this API returned")
    return [str(part) for part in position]
