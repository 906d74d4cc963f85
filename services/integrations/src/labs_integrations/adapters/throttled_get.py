"""A GET to a platform that answers 429 with Retry-After when asked too fast (Jira, Asana): the
request is sent again once the wait it names is over, a few times at most. `sleep` is the
tests' (they do not wait for real)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from labs_common.errors import Unavailable

TIMEOUT_SECONDS = 30
# A 429 without Retry-After waits this long; a Retry-After is never waited beyond the cap (a
# platform asking for an hour is better answered by a failed import and a retry later).
DEFAULT_RETRY_AFTER = 10.0
MAX_RETRY_AFTER = 120.0

Sleep = Callable[[float], Awaitable[Any]]


def retry_after(answer: httpx.Response) -> float:
    try:
        seconds = float(answer.headers.get("Retry-After", DEFAULT_RETRY_AFTER))
    except ValueError:
        return DEFAULT_RETRY_AFTER
    return min(MAX_RETRY_AFTER, max(0.0, seconds))


async def throttled_get(url: str, *, platform: str, sleep: Sleep = asyncio.sleep,
                        max_throttles: int = 8, params: dict[str, Any] | None = None,
                        headers: dict[str, str] | None = None,
                        auth: tuple[str, str] | None = None) -> httpx.Response:
    """The platform's answer to GET `url` that is not a 429; Unavailable when it cannot be
    reached or keeps asking to slow down."""
    async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
        for _ in range(max_throttles + 1):
            try:
                answer = await client.get(url, params=params, headers=headers, auth=auth)
            except httpx.HTTPError as error:
                raise Unavailable(f"{platform} cannot be reached; try again shortly.") \
                    from error
            if answer.status_code != 429:
                return answer
            await sleep(retry_after(answer))
    raise Unavailable(f"{platform} kept asking Labs to slow down (429); try again later.")


def json_of(answer: httpx.Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None
