"""One trace follows a REST call through the gateway, the gRPC hop to identity, the outbox relay,
NATS, and the consumer that handles the event. Everything runs in this process so one in-memory
exporter sees every span; the propagation itself crosses real HTTP, gRPC and NATS."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import nats
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from labs_common.events.consumer import EventConsumer, Subscription
from labs_common.service import start
from labs_common.testing.infrastructure import free_port
from labs_gateway.app import create_app
from labs_gateway.config import GatewaySettings
from labs_gateway.upstream import Upstream
from labs_identity.config import Settings as IdentitySettings
from labs_identity.main import DEFINITION as IDENTITY

pytestmark = pytest.mark.integration

Kind = trace.SpanKind


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    # The global provider can be set once per process: an earlier test may have set it.
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(TracerProvider())
    exporter = InMemorySpanExporter()
    trace.get_tracer_provider().add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


async def test_a_signup_is_one_trace_from_rest_to_the_consumer(spans, postgres_url, nats_url):
    identity = await start(
        IDENTITY,
        IdentitySettings(
            database_url=postgres_url,
            database_name=f"labs_trace_{uuid.uuid4().hex[:8]}",
            nats_url=nats_url,
            grpc_port=free_port(),
            env="test",
            shutdown_grace_seconds=0,
            tracing=True,
        ),
    )
    settings = GatewaySettings(identity_addr=identity.address, nats_url=nats_url, env="test",
                               tracing=True)
    upstream = Upstream.open(settings)
    connection = await nats.connect(nats_url)
    handled = asyncio.Event()
    org_ids: list[str] = []

    async def on_organization_created(envelope, _uow):
        if envelope.org_id in org_ids:
            handled.set()

    consumer = asyncio.create_task(
        EventConsumer(
            identity.runtime.js,
            identity.runtime.uow,
            Subscription(
                f"trace{uuid.uuid4().hex[:6]}",
                "identity",
                "organization.created",
                on_organization_created,
            ),
        ).run()
    )
    app = create_app(settings, upstream, nats=connection)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://gateway"
            ) as client,
        ):
            response = await client.post(
                "/api/v1/auth/signup",
                json={
                    "email": f"trace-{uuid.uuid4().hex[:6]}@example.com",
                    "password": "correct horse battery",
                    "organization_name": "Traced",
                },
            )
            assert response.status_code == 201, response.text
            org_ids.append(response.json()["organization"]["id"])
            await asyncio.wait_for(handled.wait(), timeout=15)
        consumed = await _consumer_span(spans, org_ids[0])
    finally:
        consumer.cancel()
        await asyncio.gather(consumer, return_exceptions=True)
        await connection.close()
        await upstream.close()
        await identity.stop()

    trace_spans = [
        s for s in spans.get_finished_spans() if s.context.trace_id == consumed.context.trace_id
    ]
    kinds = {(s.kind, s.name) for s in trace_spans}
    assert any(k == Kind.SERVER and "/api/v1/auth/signup" in n for k, n in kinds), kinds
    assert any(k == Kind.CLIENT and "IdentityService/Signup" in n for k, n in kinds), kinds
    assert any(k == Kind.SERVER and "IdentityService/Signup" in n for k, n in kinds), kinds
    assert any(
        k == Kind.PRODUCER and n == "publish identity.organization.created" for k, n in kinds
    ), kinds
    # The consumer's parent is the relay's producer span: the context crossed NATS headers.
    by_id = {s.context.span_id: s for s in trace_spans}
    assert by_id[consumed.parent.span_id].kind == Kind.PRODUCER


async def _consumer_span(spans: InMemorySpanExporter, org_id: str, timeout: float = 5.0):
    """The consumer's span for this org's event (it ends just after the handler ran)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for span in spans.get_finished_spans():
            if span.kind == Kind.CONSUMER and span.attributes.get("labs.org_id") == org_id:
                return span
        await asyncio.sleep(0.05)
    raise AssertionError("the consumer's span was never exported")
