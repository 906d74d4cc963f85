"""No credential reaches the logs through a URL: a socket's ?token= is logged as ***."""

from __future__ import annotations

import json
import logging

import pytest
from websockets.asyncio.client import connect

from labs_gateway.log_redaction import RedactUrls, redact_urls


@pytest.mark.parametrize(("logged", "expected"), [
    ('1.2.3.4:5 - "WebSocket /api/v1/ws?token=eyJ.a.b" [accepted]',
     '1.2.3.4:5 - "WebSocket /api/v1/ws?token=***" [accepted]'),
    ("/api/v1/ws?room=p1&access_token=abc&limit=5", "/api/v1/ws?room=p1&access_token=***&limit=5"),
    ("/cb?code=4%2F0Ab&state=xyz#frag", "/cb?code=***&state=***#frag"),
    ("/x?API-Key=lbk_live_1&Refresh_Token=r&client_secret=s&reset_token=t",
     "/x?API-Key=***&Refresh_Token=***&client_secret=***&reset_token=***"),
    ("/x?api%5Fkey=lbk_1", "/x?api%5Fkey=***"),
    ("/api/v1/projects?status=active&q=token", "/api/v1/projects?status=active&q=token"),
    ("no url here: token=abc", "no url here: token=abc"),
])
def test_credentials_in_query_strings_are_masked(logged, expected):
    assert redact_urls(logged) == expected


def test_a_record_keeps_its_arguments_shape_for_uvicorns_formatters():
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("1.2.3.4:5", "GET", "/a?token=secret", "1.1", 200), None)
    assert RedactUrls().filter(record)
    assert record.args == ("1.2.3.4:5", "GET", "/a?token=***", "1.1", 200)
    assert record.getMessage() == '1.2.3.4:5 - "GET /a?token=*** HTTP/1.1" 200'


async def test_a_socket_upgrade_is_logged_without_its_token(
    start_gateway, issue_token, uvicorn_log,
):
    gateway = await start_gateway()
    token = issue_token()
    async with connect(f"{gateway.ws_url}?token={token}") as ws:
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await ws.recv())["type"] in ("ready", "pong")
    lines = [record.getMessage() for record in uvicorn_log]
    upgrades = [line for line in lines if "WebSocket" in line]
    assert upgrades and all("/api/v1/ws?token=***" in line for line in upgrades), lines
    # The signature alone would do: no part of the token is anywhere in the log.
    assert not [line for line in lines if token.split(".")[2] in line]


@pytest.fixture
def uvicorn_log():
    """The records uvicorn's loggers pass on, read at the loggers themselves: whatever logging
    an earlier test configured (levels, propagation), the filters run before any handler."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(logging.INFO)
    loggers = [logging.getLogger(name) for name in ("uvicorn.error", "uvicorn.access")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield records
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture
def spans():
    """Every span the gateway records from now on (a global SDK provider, set once)."""
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(TracerProvider())
    exporter = InMemorySpanExporter()
    trace.get_tracer_provider().add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()


async def test_request_spans_record_urls_without_credentials(make_client, spans):
    client = make_client(tracing=True)
    response = await client.get("/api/v1/projects?status=active&access_token=s3cr3t-value")
    assert response.status_code == 401
    recorded = {key: value for span in spans.get_finished_spans()
                for key, value in (span.attributes or {}).items() if isinstance(value, str)}
    assert not [key for key, value in recorded.items() if "s3cr3t" in value], recorded
    urls = [value for key, value in recorded.items() if key in ("http.url", "url.full",
                                                                 "http.target", "url.query")]
    assert [url for url in urls if "?status=active&access_token=***" in url], urls


async def test_no_spans_are_made_when_nothing_exports_them(make_client, spans):
    # No OTEL_EXPORTER_OTLP_* endpoint and no LABS_TRACING: spans would be dropped, so none
    # are made (the instrumentation was a third of a read's CPU).
    client = make_client()
    assert (await client.get("/api/v1/projects")).status_code == 401
    assert [(s.name, s.instrumentation_scope.name) for s in spans.get_finished_spans()] == []
    exported = make_client(otel_exporter_otlp_traces_endpoint="http://collector.test:4317")
    assert (await exported.get("/api/v1/projects")).status_code == 401
    assert [span.name for span in spans.get_finished_spans()]
