"""One log line per request: method, path (never the query: it may hold a ?token=), status, time."""

from __future__ import annotations

import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("labs.gateway.access")
# The kubelet asks these every few seconds per pod: kept out of the info stream.
PROBE_PATHS = frozenset({"/livez", "/readyz"})


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            level = log.debug if scope["path"] in PROBE_PATHS and status < 400 else log.info
            level("http.request", method=scope["method"], path=scope["path"], status=status,
                  ms=round((time.perf_counter() - started) * 1000, 2))
