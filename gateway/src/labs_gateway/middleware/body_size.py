"""413 for request bodies over the limit, whether announced by Content-Length or streamed in chunks.

A streamed body is counted as the app reads it; once over the limit the app sees a disconnect and
whatever it tries to answer is replaced by the 413, so no route ever handles a truncated body.
Before answering, the rest of the body is read and dropped (up to DRAIN_BYTES): most clients only
read a response once they have sent their whole request, and would otherwise see a reset socket.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from labs_gateway.problems import problem_response

# Beyond this much unread body we answer and close instead of reading on for a polite client.
DRAIN_BYTES = 64 * 1024 * 1024


class BodyLimits:
    """The byte limit of a path: a default, and overrides by path prefix ("*" = one segment)."""

    def __init__(self, default: int, by_prefix: dict[str, int] | None = None) -> None:
        self.default = default
        # Longest prefix first, so /api/v1/projects/*/files beats /api/v1/projects.
        self._rules = sorted(
            ((_segments(prefix), size) for prefix, size in (by_prefix or {}).items()),
            key=lambda rule: len(rule[0]), reverse=True,
        )

    def for_path(self, path: str) -> int:
        segments = _segments(path)
        for prefix, size in self._rules:
            if len(prefix) <= len(segments) and all(
                want in ("*", got) for want, got in zip(prefix, segments, strict=False)
            ):
                return size
        return self.default


def _segments(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


class BodySizeMiddleware:
    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.for_path(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            drained = declared <= DRAIN_BYTES and await _drain(receive)
            await _too_large(limit, close=not drained)(scope, receive, send)
            return

        received = 0
        exceeded = False
        response_started = False

        finished = False  # the client has sent its last body chunk

        async def counting_receive() -> Message:
            nonlocal received, exceeded, finished
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                finished = not message.get("more_body", False)
                if received > limit:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if exceeded and not response_started:
                return  # the app's answer to a cut-off body is replaced by the 413 below
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not response_started:
            drained = finished or await _drain(receive)
            await _too_large(limit, close=not drained)(scope, receive, send)


async def _drain(receive: Receive) -> bool:
    """Read and drop the rest of the request body; False when it is bigger than DRAIN_BYTES."""
    drained = 0
    while drained <= DRAIN_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            return False
        drained += len(message.get("body", b""))
        if not message.get("more_body", False):
            return True
    return False


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _too_large(limit: int, close: bool):
    return problem_response(
        413, f"The request body is larger than {limit} bytes.", reason="BODY_TOO_LARGE",
        headers={"Connection": "close"} if close else None,
    )
