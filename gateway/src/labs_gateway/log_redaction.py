"""Credentials never reach the logs through a URL: query parameters that carry them are `***`.

Browsers cannot set headers on a WebSocket, so sockets authenticate with `?token=`; OAuth
callbacks carry `code` and `state`; links may carry an API key. uvicorn logs every WebSocket
upgrade with its query string (on "uvicorn.error", whatever `access_log` says), and its access
log, when enabled, every request's: `install` puts a filter on both that rewrites the URLs of
each record before any handler formats it. Request spans record the URL too (`redact_span`,
OpenTelemetry's server request hook). Our own log lines name paths, never queries.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

MASK = "***"
# Parameter names (lower case, "-" read as "_") whose value is a credential.
SECRET_PARAMETERS = frozenset({
    "token", "access_token", "refresh_token", "id_token", "jwt", "bearer", "auth",
    "authorization", "api_key", "apikey", "key", "secret", "client_secret", "password",
    "code", "state", "signature", "sig", "session", "session_id", "sid", "otp", "nonce",
})
# Any name that merely contains one of these is treated as a credential too (reset_token...).
_SECRET_PARTS = ("token", "secret", "password", "api_key", "apikey", "signature")
# name=value after "?" or "&" (";" too, as some clients separate with it), in any text.
_PARAMETER = re.compile(r"(?P<lead>[?&;])(?P<name>[^=&;#\s\"'?]+)=(?P<value>[^&;#\s\"']*)")
# Loggers that write request URLs: uvicorn's WebSocket lines, its access log.
LOGGERS = ("uvicorn.error", "uvicorn.access")
# Span attributes holding a URL or its query, in the old and the stable HTTP conventions.
URL_ATTRIBUTES = ("http.url", "http.target", "url.full")
QUERY_ATTRIBUTES = ("url.query",)


def is_secret(name: str) -> bool:
    name = unquote(name).strip().lower().replace("-", "_")
    return name in SECRET_PARAMETERS or any(part in name for part in _SECRET_PARTS)


def redact_urls(text: str) -> str:
    """`text` with the value of every credential-carrying query parameter replaced by ***."""
    if "=" not in text:
        return text

    def mask(match: re.Match[str]) -> str:
        if not is_secret(match["name"]) or not match["value"]:
            return match[0]
        return f"{match['lead']}{match['name']}={MASK}"

    return _PARAMETER.sub(mask, text)


class RedactUrls(logging.Filter):
    """Rewrites a record's message and string arguments; keeps the arguments' shape, which
    uvicorn's own access formatter reads by position."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_urls(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_urls(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact_urls(v) if isinstance(v, str) else v
                           for k, v in record.args.items()}
        return True


def install(loggers: tuple[str, ...] = LOGGERS) -> None:
    """Puts the filter on `loggers` once (calling it again adds nothing)."""
    for name in loggers:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactUrls) for f in logger.filters):
            logger.addFilter(RedactUrls())


def redact_span(span, _scope: dict) -> None:
    """OpenTelemetry's server request hook: masks credentials in the URL attributes the ASGI
    instrumentation set when it started the request's span."""
    attributes = getattr(span, "attributes", None)  # only a recording SDK span has them
    if not attributes or not span.is_recording():
        return
    for key in URL_ATTRIBUTES:
        if isinstance(value := attributes.get(key), str):
            span.set_attribute(key, redact_urls(value))
    for key in QUERY_ATTRIBUTES:
        if isinstance(value := attributes.get(key), str):
            span.set_attribute(key, redact_urls(f"?{value}")[1:])
