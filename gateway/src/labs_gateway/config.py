"""Gateway settings, read from LABS_* variables once in main() and passed down."""

from __future__ import annotations

import limits
from pydantic import Field, field_validator

from labs_common.config import BaseLabsSettings

MIB = 1024 * 1024


class GatewaySettings(BaseLabsSettings):
    """The edge: where it listens, how much it accepts, how fast a caller may go."""

    gateway_host: str = "127.0.0.1"
    gateway_port: int = Field(8000, ge=0, le=65535)
    # Proxies whose X-Forwarded-For uvicorn trusts (comma-separated IPs/CIDRs, or "*"); the
    # client IP decides the rate-limit bucket of anonymous callers, so trust only the ingress.
    forwarded_allow_ips: str = "127.0.0.1"
    cors_allow_origins: list[str] = Field(default_factory=list)

    # Request bodies above this are refused with 413 (Content-Length or counted while streaming).
    max_body_bytes: int = Field(MIB, ge=0)
    # Larger (or smaller) limits for some paths, e.g. uploads:
    # LABS_MAX_BODY_BYTES_BY_PATH='{"/api/v1/projects/*/files": 104857600}'. A key matches a path
    # that starts with it segment by segment; "*" matches one segment; the longest key wins.
    # File uploads: the projects service's largest file (100 MiB) plus multipart framing.
    # Uploads stream through to their service, so their limits are about abuse, not memory.
    max_body_bytes_by_path: dict[str, int] = Field(
        default_factory=lambda: {"/api/v1/projects/*/files": 101 * MIB,
                                 "/api/v1/time-entries/bulk-import": 256 * MIB,
                                 # Stripe's events are a few KiB; the cap holds whatever the
                                 # default becomes, for a route anyone may call.
                                 "/api/v1/webhooks/stripe": MIB,
                                 # GitHub sends up to 25 MB (a big push); what one gRPC message
                                 # to integrations holds (16 MiB) is the ceiling here. Issue
                                 # changes lost above it are healed by the reconciler.
                                 "/api/v1/webhooks/github": 15 * MIB,
                                 "/api/v1/webhooks/slack": MIB,
                                 # Linear's deliveries are one object each, a few KiB.
                                 "/api/v1/webhooks/linear": MIB})

    # Requests per caller (the verified principal, else the client IP), in the `limits` notation
    # ("600/minute", "10/second"). Counted in memory: the limit holds per gateway replica.
    rate_limit: str = "600/minute"
    rate_limit_enabled: bool = True
    # Probes must never be throttled into a restart.
    rate_limit_exempt_paths: list[str] = Field(
        default_factory=lambda: ["/api/v1/health", "/livez", "/readyz", "/assets/"])

    # Deadline for each service's health check and for the NATS round trip in GET /health.
    health_timeout_seconds: float = Field(1.0, gt=0)
    # How long GET /.well-known/jwks.json reuses identity's answer.
    jwks_cache_seconds: float = Field(60.0, ge=0)
    # identity is asked for its keys at most this often (an unknown kid asks again)...
    jwks_min_refresh_seconds: float = Field(10.0, ge=0)
    # ...and after a failure not before this, doubling per failure up to a minute...
    jwks_retry_seconds: float = Field(1.0, gt=0)
    # ...while the last good keys keep verifying tokens for this long after they were fetched.
    jwks_max_stale_seconds: float = Field(3600.0, ge=0)

    # Hot reads kept per reader until their organization's next event or write, at most this
    # long (0: never kept), in at most this much memory (middleware/read_cache.py).
    read_cache_seconds: float = Field(10.0, ge=0)
    read_cache_max_bytes: int = Field(64 * MIB, ge=0)

    # A socket that has not authenticated within this time is closed with 4401.
    ws_auth_timeout_seconds: float = Field(5.0, gt=0)
    # Messages buffered for a slow socket before it is disconnected.
    ws_send_queue_size: int = Field(256, ge=1)
    ws_max_message_bytes: int = Field(64 * 1024, ge=1024)
    ws_max_rooms: int = Field(100, ge=1)
    # The built web console served at / (labs_gateway.console); empty: web/dist of this checkout.
    console_dir: str = ""
    # Freeze start-up's objects and raise the collector's thresholds (ws/collector.py).
    gateway_gc_tuning: bool = True
    # Where the collector's pauses are written, for the fan-out benchmark (ws/gc_pauses.py).
    gc_pauses_file: str = ""

    @field_validator("rate_limit")
    @classmethod
    def _parse_rate_limit(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError as error:
            raise ValueError(f"not a rate limit like '600/minute': {value!r}") from error
        return value

    @field_validator("max_body_bytes_by_path")
    @classmethod
    def _absolute_prefixes(cls, value: dict[str, int]) -> dict[str, int]:
        for prefix, size in value.items():
            if not prefix.startswith("/") or size < 0:
                raise ValueError(f"need an absolute path and a non-negative size: {prefix!r}")
        return value
