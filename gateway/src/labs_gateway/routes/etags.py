"""Entity tags: the owning service computes a resource's etag and checks If-Match itself, under
the same row lock as the write, so the gateway only translates between headers and fields."""

from __future__ import annotations

from fastapi import Response


def set_etag(response: Response, etag: str) -> None:
    if etag:
        response.headers["ETag"] = f'"{etag}"'


def if_match_etags(if_match: str | None) -> list[str]:
    """The tags an If-Match header lists, unquoted; empty when absent or `*` (no condition)."""
    if if_match is None:
        return []
    tags = [tag.strip() for tag in if_match.split(",") if tag.strip()]
    if "*" in tags:
        return []
    # A tag nobody issued still has to fail the condition, so keep malformed ones as they are.
    return [tag.removeprefix("W/").strip('"') for tag in tags]
