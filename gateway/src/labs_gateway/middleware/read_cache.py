"""Hot reads answered from memory until their organization changes.

A list such as `GET /projects` costs three services a few milliseconds of CPU each (projects,
then forecasting's margins and capacity's teams for the page), while what it answers changes only
when something of that organization changes, and every change is announced: the services publish
an event in the transaction that makes it, and this gateway already hears every event for its
sockets (ws/hub.py). So a route marked `@cached_read("projects", ...)` keeps its 200 answer per
reader and URL, and the organization's next event from a service the route reads (identity's
always: roles and the financials level), or its next write through this gateway, retires it. Time
entries, timers, invoices and deliveries, most of a busy agency's events, retire nothing here.

- **Per reader**: the key is the organization, the user or API key, the role, the client and the
  financials level the policy uses (labs_common.visibility), and the path with its query. A
  cached answer is only ever replayed to the reader it was made for, and only after the
  credential has been verified again (a revoked session or an expired token is refused as ever).
- **Generations, not deletions**: an event bumps its organization's generation of its service,
  a write all of them; an answer is kept only if the generations it started under are still
  current when it ends, so a read that ran while a change committed is never kept.
- **Copies of copies**: a service showing another's data from its own read model updates it
  when it consumes that event, a moment after this gateway heard it; a read in between would
  keep the old value for `LABS_READ_CACHE_SECONDS` at most. No route marked today shows such a
  copy: mark one with the service it copies from, too, only if that lag is acceptable.
- **Writes through this replica** bump the generation before and after, so a client reads its own
  writes at once. On another replica the write arrives as its event, usually within a few
  milliseconds of the write's answer; that is how stale a kept answer can be there.
- **Bounded**: `LABS_READ_CACHE_SECONDS` (what depends on the day, such as days remaining, and
  any change a service does not announce is at most that old), `LABS_READ_CACHE_MAX_BYTES`.
  Nothing is kept or served while NATS is away, and everything is forgotten when the connection
  is lost, comes back or drops a message (a missed event would leave an answer stale).
- `Cache-Control: no-cache` on a request asks the services, as HTTP says it should.
- An answer a route gave without a part it could not get (a project list's margins while
  forecasting is down: `answered_in_part()`) is not kept, so the next read asks again.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from labs_gateway.auth.credentials import Authenticator, verified_principal
from labs_gateway.config import GatewaySettings
from labs_gateway.financials import FinancialsLevels

F = TypeVar("F", bound=Callable[..., Any])
_MARK = "_labs_cached_read"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Decisions of which route a path reaches, kept per path (ids make paths many).
_MAX_ROUTED_PATHS = 10_000


# Marks of the read under way that it answered in part (a list, shared by copied contexts).
_PARTIAL: ContextVar[list[bool] | None] = ContextVar("labs_read_partial", default=None)


def answered_in_part() -> None:
    """Say that this request's answer lacks a part another service did not give: not kept."""
    marks = _PARTIAL.get()
    if marks is not None:
        marks.append(True)


def cached_read(*sources: str) -> Callable[[F], F]:
    """Mark a GET route whose answer changes only with what these services (and identity)
    announce of its organization: `@cached_read("projects", "forecasting")`."""
    marked = tuple(sorted({*sources, "identity"}))

    def mark(endpoint: F) -> F:
        setattr(endpoint, _MARK, marked)
        return endpoint

    return mark


@dataclass
class _Generations:
    """An organization's: one bumped by its writes through this replica, one per service."""

    writes: int = 0
    by_source: dict[str, int] = field(default_factory=dict)

    def of(self, sources: tuple[str, ...]) -> tuple[int, tuple[int, ...]]:
        return self.writes, tuple(self.by_source.get(source, 0) for source in sources)

    def copy(self) -> _Generations:
        return _Generations(self.writes, dict(self.by_source))


@dataclass(frozen=True, slots=True)
class _Answer:
    org_id: str
    sources: tuple[str, ...]
    made_under: tuple[int, tuple[int, ...]]
    expires: float
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class ReadCache:
    """The answers kept, by key, least recently used first; generations per organization."""

    def __init__(self, seconds: float, max_bytes: int, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.max_bytes = max_bytes
        self._clock = clock
        self._answers: OrderedDict[tuple, _Answer] = OrderedDict()
        self._bytes = 0
        self._generations: dict[str, _Generations] = {}
        self._connected: Callable[[], bool] = lambda: False

    @classmethod
    def of(cls, settings: GatewaySettings) -> ReadCache:
        return cls(settings.read_cache_seconds, settings.read_cache_max_bytes)

    def listen(self, connected: Callable[[], bool]) -> None:
        """Serve from now on, while `connected()` says events are arriving."""
        self.forget_all()
        self._connected = connected

    def stop(self) -> None:
        self._connected = lambda: False
        self.forget_all()

    @property
    def serving(self) -> bool:
        return self.seconds > 0 and self._connected()

    def generations(self, org_id: str) -> _Generations:
        """The organization's generations now (a copy: what a read starts under)."""
        return self._generations.setdefault(org_id, _Generations()).copy()

    def forget(self, org_id: str, source: str | None = None) -> None:
        """Retire the organization's answers that read `source`, or all of them (a write)."""
        generations = self._generations.setdefault(org_id, _Generations())
        if source is None:
            generations.writes += 1
        else:
            generations.by_source[source] = generations.by_source.get(source, 0) + 1

    def forget_all(self) -> None:
        for org_id in list(self._generations):
            self.forget(org_id)
        self._answers.clear()
        self._bytes = 0

    def _current(self, org_id: str, sources: tuple[str, ...]) -> tuple[int, tuple[int, ...]]:
        return self._generations.setdefault(org_id, _Generations()).of(sources)

    def get(self, key: tuple) -> _Answer | None:
        answer = self._answers.get(key)
        if answer is None:
            return None
        if (answer.made_under != self._current(answer.org_id, answer.sources)
                or answer.expires <= self._clock()):
            self._drop(key)
            return None
        self._answers.move_to_end(key)
        return answer

    def put(self, key: tuple, org_id: str, began: _Generations, sources: tuple[str, ...],
            status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> bool:
        """Keep an answer of a read that began under `began` and reads `sources`; False when
        one of those has moved on since."""
        made_under = began.of(sources)
        if made_under != self._current(org_id, sources) or len(body) > self.max_bytes // 16:
            return False
        self._drop(key)
        self._answers[key] = _Answer(org_id, sources, made_under, self._clock() + self.seconds,
                                     status, headers, body)
        self._bytes += len(body)
        while self._bytes > self.max_bytes:
            self._drop(next(iter(self._answers)))
        return True

    def __len__(self) -> int:
        return len(self._answers)

    def _drop(self, key: tuple) -> None:
        answer = self._answers.pop(key, None)
        if answer is not None:
            self._bytes -= len(answer.body)


class CachedRoutes:
    """Which paths reach a `@cached_read` route, learnt from the router itself: after routing,
    the scope names the endpoint that answered (FastAPI includes routers lazily, so the route
    table cannot be read up front). Remembered per path; ids make paths many, hence the bound."""

    def __init__(self) -> None:
        self._decided: dict[str, tuple[str, ...] | None] = {}

    def known_uncached(self, path: str) -> bool:
        return path in self._decided and self._decided[path] is None

    def learn(self, scope: Scope) -> tuple[str, ...] | None:
        """The services the answering route reads, or None for a route not marked."""
        sources = getattr(scope.get("endpoint"), _MARK, None)
        if len(self._decided) >= _MAX_ROUTED_PATHS:
            self._decided.clear()
        self._decided[scope["path"]] = sources
        return sources


class ReadCacheMiddleware:
    """Answers a marked GET from `cache` for the reader it was made for; notes every write of an
    organization. Sits inside the rate limiter, which has verified the caller (or verifies it)."""

    def __init__(self, app: ASGIApp, *, cache: ReadCache, authenticator: Authenticator,
                 financials: FinancialsLevels) -> None:
        self.app = app
        self.cache = cache
        self.authenticator = authenticator
        self.financials = financials
        self.routes = CachedRoutes()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.cache.serving:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if scope["method"] not in SAFE_METHODS:
            await self._write(scope, receive, send)
        elif (scope["method"] == "GET" and not self.routes.known_uncached(scope["path"])
              and "no-cache" not in headers.get("cache-control", "")):
            await self._read(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _write(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = await verified_principal(scope, self.authenticator)
        if principal is None:
            await self.app(scope, receive, send)
            return
        org_id = str(principal.org_id)
        self.cache.forget(org_id)
        try:
            await self.app(scope, receive, send)
        finally:
            # A read that began during the write may have seen the old state: not kept.
            self.cache.forget(org_id)

    async def _read(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = await verified_principal(scope, self.authenticator)
        if principal is None:
            await self.app(scope, receive, send)
            return
        reader = await self.financials.reader_for(principal)
        org_id = str(principal.org_id)
        key = (org_id, str(principal.api_key_id or ""), reader, scope["path"],
               scope.get("query_string", b""))
        answer = self.cache.get(key)
        if answer is not None:
            await send({"type": "http.response.start", "status": answer.status,
                        "headers": answer.headers})
            await send({"type": "http.response.body", "body": answer.body})
            return
        began = self.cache.generations(org_id)
        started: Message | None = None
        chunks: list[bytes] = []
        partial: list[bool] = []

        async def recording_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if (not message.get("more_body") and started and started["status"] == 200
                        and (sources := self.routes.learn(scope)) and not partial):
                    self.cache.put(key, org_id, began, sources, 200, list(started["headers"]),
                                   b"".join(chunks))
            await send(message)

        reset = _PARTIAL.set(partial)
        try:
            await self.app(scope, receive, recording_send)
        finally:
            _PARTIAL.reset(reset)
        if started is None or started["status"] != 200:
            self.routes.learn(scope)
