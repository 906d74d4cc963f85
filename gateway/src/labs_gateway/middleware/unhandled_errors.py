"""The last line: an exception no handler knew becomes a generic 500 problem, never a stack trace.

It runs inside the OpenTelemetry middleware, so the log line carries the request's trace id, and
the same id goes back to the caller to quote when reporting the failure.
"""

from __future__ import annotations

import structlog
from opentelemetry import trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from labs_gateway.problems import problem_response

log = structlog.get_logger("labs.gateway")


class UnhandledErrorMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            trace_id = _trace_id()
            log.exception("http.unhandled", method=scope["method"], path=scope["path"])
            if started:
                raise  # too late for a problem document; the server closes the connection
            response = problem_response(
                500, "The server failed to handle the request.", reason="INTERNAL",
                extra={"trace_id": trace_id} if trace_id else None,
            )
            await response(scope, receive, send)


def _trace_id() -> str | None:
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None
