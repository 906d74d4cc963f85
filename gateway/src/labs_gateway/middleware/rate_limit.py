"""Requests per caller in a sliding window, with RateLimit-* headers on every answer.

The window is `limits`' sliding-window counter: this window's count plus the previous window's
weighted by how much of it still overlaps, two counters per caller. A moving window (one
timestamp per request kept for a whole window) cost ~100 µs of CPU per request and handed each
expiry sweep to a thread; this costs ~25 µs and constant memory. It takes the previous window's
requests as spread evenly, so a burst at the end of one window weighs a little less after it.

The caller is the verified principal (its API key, else its user) or, for anonymous or refused
credentials, the client IP, so a forged token cannot open a fresh bucket. Counters live in this
process (the `limits` in-memory storage): with N replicas a caller may make up to N times the
limit. A principal verified here is left in the request state for the auth dependency to reuse.
"""

from __future__ import annotations

import math
import time

import limits
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from labs_gateway.auth.credentials import PRINCIPAL_STATE_KEY, Authenticator, verified_principal
from labs_gateway.problems import problem_response

__all__ = ["PRINCIPAL_STATE_KEY", "RateLimitMiddleware"]


class RateLimitMiddleware:
    def __init__(
        self, app: ASGIApp, *, rate: str, authenticator: Authenticator,
        exempt_paths: list[str] | tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.item = limits.parse(rate)
        self.limiter = SlidingWindowCounterRateLimiter(MemoryStorage())
        self.authenticator = authenticator
        self.exempt = tuple(exempt_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        key = await self._caller(scope)
        allowed = await self.limiter.hit(self.item, key)
        stats = await self.limiter.get_window_stats(self.item, key)
        reset = max(1, math.ceil(stats.reset_time - time.time()))
        headers = {
            "RateLimit-Limit": str(self.item.amount),
            "RateLimit-Remaining": str(max(0, stats.remaining)),
            "RateLimit-Reset": str(reset),
        }
        if not allowed:
            response = problem_response(
                429, f"Too many requests: the limit is {self.item}. Retry in {reset} s.",
                reason="RATE_LIMITED", headers={**headers, "Retry-After": str(reset)},
            )
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                for name, value in headers.items():
                    response_headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _caller(self, scope: Scope) -> str:
        # Refused or unverifiable now: counted by IP; the route answers 401/503.
        if (principal := await verified_principal(scope, self.authenticator)) is not None:
            return f"principal:{principal.api_key_id or principal.user_id}"
        client = scope.get("client")
        return f"ip:{client[0] if client else 'unknown'}"
