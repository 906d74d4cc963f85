"""One request to a platform that answers 429 with Retry-After when asked too fast (Figma,
Notion), for workers that must not wait it out in place: a 429 is `Throttled`, with the wait
the platform asked for, and the worker puts the platform's remaining work after it. An
unreachable platform is Unavailable. Never called inside a transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from labs_common.errors import Unavailable

TIMEOUT_SECONDS = 15
# A 429 without a readable Retry-After waits this long.
DEFAULT_RETRY_AFTER = 30.0


class Throttled(Exception):
    """The platform answered 429: ask again in `retry_after` seconds."""

    def __init__(self, platform: str, retry_after: float) -> None:
        super().__init__(f"{platform} asked Labs to slow down for {retry_after:.0f} s (429)")
        self.platform = platform
        self.retry_after = retry_after


def retry_after(answer: httpx.Response) -> float:
    """The seconds a 429 asks for (delta-seconds or an HTTP date), uncapped: the worker that
    postpones decides how long it waits at most."""
    value = answer.headers.get("Retry-After", "").strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


async def request_once(method: str, url: str, *, platform: str,
                       headers: dict[str, str] | None = None,
                       params: dict[str, Any] | None = None,
                       json: Any = None) -> httpx.Response:
    """The platform's answer that is not a 429."""
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
            answer = await client.request(method, url, headers=headers, params=params,
                                          json=json)
    except httpx.HTTPError as error:
        raise Unavailable(f"{platform} cannot be reached; try again shortly.") from error
    if answer.status_code == 429:
        raise Throttled(platform, retry_after(answer))
    return answer
