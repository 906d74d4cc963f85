"""Harvest's API v2 (https://help.getharvest.com/api-v2/) over httpx: Harvest has no official
Python SDK. Every list is read a page at a time (at most 2,000 rows), following `links.next`;
requests are paced to at most 80 per 15 s per account (Harvest allows 100), and a 429 waits the
`Retry-After` it names before asking again. Never called inside a transaction."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

import httpx

from labs_common.errors import InvalidArgument, Unavailable
from labs_integrations.config import Settings

PER_PAGE = 2000
USER_AGENT = "Labs (integrations@labs.dev)"
TIMEOUT_SECONDS = 30
# A 429 without Retry-After, and how many in a row one request may meet before the sync fails.
DEFAULT_RETRY_AFTER = 15.0
MAX_THROTTLES = 5


class Pacer:
    """At most `limit` requests in any `window` seconds: a request waits until the oldest of the
    last `limit` is `window` old. One per account, shared by every sync of this replica."""

    def __init__(self, limit: int, window: float) -> None:
        self._limit = limit
        self._window = window
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            while self._sent and now - self._sent[0] >= self._window:
                self._sent.popleft()
            if len(self._sent) >= self._limit:
                await asyncio.sleep(self._window - (now - self._sent[0]))
                self._sent.popleft()
            self._sent.append(time.monotonic())


class HarvestApi:
    def __init__(self, settings: Settings, *, sleep=asyncio.sleep) -> None:
        self._base = settings.harvest_api_url.rstrip("/")
        self._limit = settings.harvest_requests_per_window
        self._window = settings.harvest_window_seconds
        self._pacers: dict[str, Pacer] = {}
        self._sleep = sleep

    def _pacer(self, account_id: str) -> Pacer:
        found = self._pacers.get(account_id)
        if found is None:
            found = self._pacers[account_id] = Pacer(self._limit, self._window)
        return found

    @staticmethod
    def _headers(secret: dict[str, Any]) -> dict[str, str]:
        return {"Authorization": f"Bearer {secret['access_token']}",
                "Harvest-Account-Id": str(secret.get("account_id", "")),
                "User-Agent": USER_AGENT, "Accept": "application/json"}

    async def get(self, secret: dict[str, Any], url: str,
                  params: dict[str, Any] | None = None) -> dict[str, Any]:
        """One answer of Harvest's, paced, a 429 waited out; a refused token is the caller's
        InvalidArgument (on access_token), anything else that fails is Unavailable."""
        if not url.startswith("http"):
            url = f"{self._base}{url}"
        pacer = self._pacer(str(secret.get("account_id", "")))
        for _ in range(MAX_THROTTLES):
            await pacer.wait()
            try:
                async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
                    answer = await client.get(url, params=params, headers=self._headers(secret))
            except httpx.HTTPError as error:
                raise Unavailable("Harvest cannot be reached; the sync will try again.") \
                    from error
            if answer.status_code == 429:
                await self._sleep(_retry_after(answer))
                continue
            if answer.status_code in (401, 403):
                raise InvalidArgument.on("access_token", "Harvest does not accept this token "
                                         "for this account")
            if answer.status_code >= 400:
                raise Unavailable(f"Harvest answered {answer.status_code} to {answer.url.path}.")
            return answer.json()
        raise Unavailable("Harvest kept asking Labs to slow down (429); the sync will try again.")

    async def pages(self, secret: dict[str, Any], path: str, key: str,
                    params: dict[str, Any] | None = None) -> AsyncIterator[list[dict[str, Any]]]:
        """The rows under `key` of every page of a list, a page at a time."""
        url: str | None = path
        query: dict[str, Any] | None = {**(params or {}), "per_page": PER_PAGE}
        while url:
            page = await self.get(secret, url, query)
            yield page.get(key) or []
            url = (page.get("links") or {}).get("next")
            query = None  # links.next carries the query (and its page or cursor)

    async def me(self, secret: dict[str, Any]) -> dict[str, Any]:
        return await self.get(secret, "/v2/users/me")

    async def company(self, secret: dict[str, Any]) -> dict[str, Any]:
        return await self.get(secret, "/v2/company")


def _retry_after(answer: httpx.Response) -> float:
    try:
        return max(0.0, float(answer.headers.get("Retry-After", DEFAULT_RETRY_AFTER)))
    except ValueError:
        return DEFAULT_RETRY_AFTER
