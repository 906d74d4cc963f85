"""The composition root: settings → logging/telemetry → NATS, gRPC channels → app → uvicorn.

On SIGTERM uvicorn stops accepting, finishes in-flight requests and closes sockets (up to the
grace period), the app unsubscribes from NATS; then NATS is drained and the channels closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator

import structlog
import uvicorn

from labs_common.events.connection import connect
from labs_common.logs import configure_logging
from labs_common.telemetry import configure_telemetry
from labs_gateway import log_redaction
from labs_gateway.app import create_app
from labs_gateway.config import GatewaySettings
from labs_gateway.middleware.read_cache import ReadCache
from labs_gateway.upstream import Upstream

log = structlog.get_logger("labs.gateway")


class _Server(uvicorn.Server):
    """uvicorn re-raises a captured SIGTERM after serving, which would kill the process before
    NATS is drained; main() owns the signals instead."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def uvicorn_config(app, settings: GatewaySettings) -> uvicorn.Config:
    # uvicorn logs each WebSocket upgrade with its query string, where sockets carry ?token=.
    log_redaction.install()
    return uvicorn.Config(
        app,
        host=settings.gateway_host,
        port=settings.gateway_port,
        log_config=None,  # keep the JSON logging configured by labs_common.logs
        access_log=False,  # AccessLogMiddleware logs requests without their query strings
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        ws_max_size=settings.ws_max_message_bytes,
        # One compressor per socket cannot be shared: at 5,000 sockets deflate was a fifth of
        # the gateway's time on a fan-out, for messages of a few hundred bytes. API.md promises
        # no compression; a client that offers it is answered without it.
        ws_per_message_deflate=False,
        timeout_graceful_shutdown=max(1, int(settings.shutdown_grace_seconds)),
        lifespan="on",
    )


async def main(settings: GatewaySettings | None = None) -> None:
    settings = settings or GatewaySettings()
    configure_logging("gateway", settings.log_level, settings.log_format)
    configure_telemetry("gateway", settings)
    read_cache = ReadCache.of(settings)
    connection = await connect(settings, "labs-gateway", on_trouble=read_cache.forget_all)
    upstream = Upstream.open(settings)
    app = create_app(settings, upstream, nats=connection, read_cache=read_cache)
    server = _Server(uvicorn_config(app, settings))
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, server.handle_exit, signum, None)
    log.info("gateway.starting", http=f"{settings.gateway_host}:{settings.gateway_port}")
    try:
        await server.serve()
    finally:
        log.info("gateway.stopping")
        with contextlib.suppress(Exception):
            await connection.drain()
        await upstream.close(grace=1.0)
        log.info("gateway.stopped")
