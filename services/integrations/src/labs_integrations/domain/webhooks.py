"""Outgoing webhooks for integrators, as plain Python: endpoints (a URL, the event types it hears,
a signing secret), deliveries (one per endpoint and event, the exact body every attempt sends),
the event filter, the `Labs-Signature` header, the retry schedule and the rules of a new
endpoint. No I/O here: resolving the host (the SSRF guard) is adapters/targets.py.

Signature: `Labs-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>`;
integrators verify it as `verify` does (the same HMAC, a constant-time compare, a tolerance on
`t` against replays)."""

from __future__ import annotations

import enum
import hashlib
import hmac
import random
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from labs_common.errors import Conflict, InvalidArgument
from labs_common.retries import doubling

ALL_EVENTS = "*"
MAX_ENDPOINTS_PER_ORG = 20
MAX_URL_LENGTH = 2048
SECRET_PREFIX = "whsec_"
SIGNATURE_HEADER = "Labs-Signature"
USER_AGENT = "Labs-Webhooks/1"
# The first retry waits this long, each next one twice as long, never more than the cap.
RETRY_BASE_SECONDS = 30.0
RETRY_CAP_SECONDS = 6 * 3600.0
# How much of an endpoint's error answer a delivery keeps.
MAX_ERROR_LENGTH = 500
# How old a signature's `t` may be when an integrator verifies it.
SIGNATURE_TOLERANCE_SECONDS = 300

# The WebSocket's event names (docs/API.md § WebSocket): the ones it names, and the ones its rule
# (`<aggregate>.<verb>` → `<aggregate>:<verb>`, time entries `time:entry:<verb>`) gives the
# events the services publish. Presence and typing are between sockets, never webhooks.
KNOWN_EVENT_TYPES: frozenset[str] = frozenset({
    "task:created", "task:updated", "task:deleted",
    "project:created", "project:updated", "project:archived", "project:status:changed",
    "project:margin-updated", "project:forecast-updated",
    "time:entry:created", "time:entry:updated", "time:entry:deleted", "time:entry:started",
    "time:entry:stopped", "time:entry:submitted", "time:entry:approved", "time:entry:rejected",
    "time:entry:reopened", "time:entry:invoiced", "time:entry:imported",
    "invoice:issued", "invoice:paid", "invoice:updated", "invoice:voided", "invoice:deleted",
    "invoice:payment_recorded", "invoice:marked_uncollectible",
    "alert:new", "user:joined", "user:left", "sync:completed",
    "client:created", "client:updated", "client:archived",
    "comment:created", "comment:updated", "comment:deleted",
    "sprint:created", "sprint:updated", "file:uploaded", "import:completed",
    "expense:recorded", "expense:updated", "expense:deleted",
    "resource:created", "resource:updated", "resource:rates_changed",
    "resource:over_allocated", "resource:over_allocation_resolved",
    "allocation:changed", "holiday:created", "time_off:created",
    "member:joined", "member:role_changed", "member:removed",
})


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class WebhookEndpoint:
    id: uuid.UUID
    org_id: uuid.UUID
    url: str
    events: tuple[str, ...]
    created_by: uuid.UUID
    created_at: datetime | None = None
    deleted_at: datetime | None = None
    # The plaintext secret, only on the endpoint Create answers (never read back from a row).
    secret: str = ""

    def hears(self, event_type: str) -> bool:
        return matches(self.events, event_type)


@dataclass(frozen=True)
class WebhookDelivery:
    id: uuid.UUID
    org_id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    # The exact JSON sent: every attempt and every redelivery sends these bytes.
    body: str
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    last_status_code: int | None = None
    last_error: str | None = None
    created_at: datetime | None = None
    last_attempt_at: datetime | None = None
    next_attempt_at: datetime | None = None
    give_up_at: datetime | None = None


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: the endpoint's HTTP status (None when it could not be reached) and,
    when it was no 2xx, why."""

    status_code: int | None
    error: str | None = None
    # No connection at all (another address of the endpoint's may still take one).
    unreachable: bool = False

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


# --- the filter --------------------------------------------------------------------------------

def matches(events: Iterable[str], event_type: str) -> bool:
    """Whether an endpoint hearing `events` ("*" or WebSocket names) gets `event_type`."""
    return any(wanted == ALL_EVENTS or wanted == event_type for wanted in events)


# --- the signature -----------------------------------------------------------------------------

def signature(secret: str, body: str, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return digest.hexdigest()


def signature_header(secret: str, body: str, timestamp: int | None = None) -> str:
    """The `Labs-Signature` value of `body` sent at `timestamp` (now by default)."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={signature(secret, body, t)}"


def verify(secret: str, body: str | bytes, header: str, *,
           tolerance_seconds: float = SIGNATURE_TOLERANCE_SECONDS,
           now: float | None = None) -> bool:
    """What an integrator runs on a delivery: the header's `t` is recent and one of its `v1`
    values is the HMAC of `t.body` with the endpoint's secret (compared in constant time)."""
    text = body.decode() if isinstance(body, bytes) else body
    parts = [part.strip().partition("=") for part in header.split(",")]
    stamps = [value for key, _, value in parts if key == "t"]
    candidates = [value for key, _, value in parts if key == "v1"]
    if len(stamps) != 1 or not candidates or not stamps[0].isdigit():
        return False
    t = int(stamps[0])
    if abs((time.time() if now is None else now) - t) > tolerance_seconds:
        return False
    expected = signature(secret, text, t)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)


# --- the retry schedule ------------------------------------------------------------------------

def retry_delay(attempts: int, *, base: float = RETRY_BASE_SECONDS,
                cap: float = RETRY_CAP_SECONDS,
                jitter: Callable[[], float] = random.random) -> float:
    """Seconds before the next attempt after `attempts` failed ones (1 → about `base`): doubling,
    capped, then spread by up to ±20% so endpoints that failed together do not retry together."""
    return doubling(attempts, base, cap) * (0.8 + 0.4 * jitter())


def after_attempt(delivery: WebhookDelivery, outcome: Outcome, now: datetime, *,
                  base: float = RETRY_BASE_SECONDS,
                  jitter: Callable[[], float] = random.random) -> WebhookDelivery:
    """The delivery once an attempt got `outcome`: succeeded on a 2xx, else retried per the
    schedule, or failed when the next attempt would come after its give-up time."""
    attempts = delivery.attempts + 1
    common = {"attempts": attempts, "last_attempt_at": now,
              "last_status_code": outcome.status_code}
    if outcome.succeeded:
        return replace(delivery, **common, status=DeliveryStatus.SUCCEEDED, last_error=None,
                       next_attempt_at=None)
    error = (outcome.error or f"HTTP {outcome.status_code}")[:MAX_ERROR_LENGTH]
    following = now + timedelta(seconds=retry_delay(attempts, base=base, jitter=jitter))
    if delivery.give_up_at is not None and following > delivery.give_up_at:
        return replace(delivery, **common, status=DeliveryStatus.FAILED, last_error=error,
                       next_attempt_at=None)
    return replace(delivery, **common, status=DeliveryStatus.PENDING, last_error=error,
                   next_attempt_at=following)


# --- the rules of a new endpoint ---------------------------------------------------------------

def check_url(url: str) -> str:
    """An absolute http(s) URL with a host and no credentials in it (the host's addresses are
    checked by the SSRF guard). Answers it trimmed."""
    url = url.strip()
    if not url:
        raise InvalidArgument.on("url", "is required")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidArgument.on("url", f"must be at most {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidArgument.on("url", "is not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidArgument.on("url", "must be an http or https URL")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise InvalidArgument.on("url", "must not carry credentials")
    if not parts.hostname:
        raise InvalidArgument.on("url", "must name a host")
    if port == 0:
        raise InvalidArgument.on("url", "must not use port 0")
    if any(ch.isspace() for ch in url):
        raise InvalidArgument.on("url", "must not contain spaces")
    return url


def check_events(events: Iterable[str]) -> tuple[str, ...]:
    """A non-empty list of known event types, or "*": answers it without repeats, in order."""
    given = tuple(dict.fromkeys(event.strip() for event in events))
    if not given:
        raise InvalidArgument.on("events", "must name at least one event type, or \"*\"")
    unknown = [event for event in given
               if event != ALL_EVENTS and event not in KNOWN_EVENT_TYPES]
    if unknown:
        raise InvalidArgument.on("events", f"unknown event types: {', '.join(unknown)}")
    return (ALL_EVENTS,) if ALL_EVENTS in given else given


def check_room(live_endpoints: int) -> None:
    if live_endpoints >= MAX_ENDPOINTS_PER_ORG:
        # A 409, not a 429: waiting does not help, deleting an endpoint does.
        raise Conflict(
            f"An organization has at most {MAX_ENDPOINTS_PER_ORG} webhook endpoints.",
            reason="TOO_MANY_WEBHOOK_ENDPOINTS")
