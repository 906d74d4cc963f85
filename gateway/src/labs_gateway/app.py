"""The FastAPI application: routes, error model, middleware, live updates; nothing global.

`create_app` receives what it needs (settings, channels, NATS) so tests can hand it fakes, e.g. a
TokenVerifier over a local JWKS instead of identity's.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from nats.aio.client import Client as Nats

from labs_common.auth.revocations import RevokedSessions, SessionRevocationFeed
from labs_common.auth.tokens import TokenVerifier
from labs_gateway import log_redaction
from labs_gateway.api_docs import install_docs
from labs_gateway.auth.credentials import ApiKeyTokens, Authenticator
from labs_gateway.auth.identity_keys import IdentityKeys, api_key_exchange, jwks_fetcher
from labs_gateway.auth.revocations import ApiKeyRevocations
from labs_gateway.config import GatewaySettings
from labs_gateway.console import default_dir, install_console
from labs_gateway.dependencies import AsCaller, NoNulCharacters
from labs_gateway.financials import FinancialsLevels
from labs_gateway.middleware.access_log import AccessLogMiddleware
from labs_gateway.middleware.body_size import BodyLimits, BodySizeMiddleware
from labs_gateway.middleware.rate_limit import RateLimitMiddleware
from labs_gateway.middleware.read_cache import ReadCache, ReadCacheMiddleware
from labs_gateway.middleware.unhandled_errors import UnhandledErrorMiddleware
from labs_gateway.problems import install_problem_handlers
from labs_gateway.routes import (
    api_keys,
    auth,
    billing_webhooks,
    health,
    members,
    organizations,
    probes,
    users,
    well_known,
)
from labs_gateway.routes.billing_area import router as billing_area_router
from labs_gateway.routes.capacity_area import router as capacity_area_router
from labs_gateway.routes.forecasting_area import router as forecasting_area_router
from labs_gateway.routes.integrations_area import public as integrations_webhooks_router
from labs_gateway.routes.integrations_area import router as integrations_area_router
from labs_gateway.routes.projects_area import router as projects_area_router
from labs_gateway.routes.time_area import router as time_area_router
from labs_gateway.upstream import Upstream
from labs_gateway.ws import endpoint as ws_endpoint
from labs_gateway.ws import gc_pauses
from labs_gateway.ws.frames import KeepProtocolMiddleware
from labs_gateway.ws.hub import Hub
from labs_gateway.ws.presence import Presence

API_PREFIX = "/api/v1"


def create_app(
    settings: GatewaySettings,
    upstream: Upstream,
    *,
    nats: Nats | None = None,
    verifier: TokenVerifier | None = None,
    read_cache: ReadCache | None = None,
) -> FastAPI:
    """The gateway app. Without `nats` there are no live events and /health reports NATS down
    (and no read is cached: nothing would say when to forget it); without `verifier`, tokens are
    verified against identity's JWKS (GetJwks)."""
    # One source of identity's keys for the verifier and /.well-known/jwks.json, which keeps
    # identity from being asked by every request while it is down (auth/identity_keys.py).
    jwks = IdentityKeys(jwks_fetcher(upstream.identity), ttl=settings.jwks_cache_seconds,
                        min_interval=settings.jwks_min_refresh_seconds,
                        retry=settings.jwks_retry_seconds,
                        max_stale=settings.jwks_max_stale_seconds)
    verifier = verifier or TokenVerifier(jwks.fetch, settings.jwt_issuer, settings.jwt_audience)
    # Logout, a password change or reset end a session's access tokens here at once, from
    # identity's session.revoked events (labs_common.auth.revocations).
    if verifier.revoked is None:
        verifier.revoked = RevokedSessions()
    session_feed = (SessionRevocationFeed(nats.jetstream(), verifier.revoked)
                    if nats is not None else None)
    api_keys_cache = ApiKeyTokens(api_key_exchange(upstream.identity))
    authenticator = Authenticator(verifier, api_keys_cache)
    financials = FinancialsLevels(upstream.identity)
    read_cache = read_cache or ReadCache.of(settings)
    hub = Hub(nats, financials, gc_tuning=settings.gateway_gc_tuning,
              gc_pauses=gc_pauses.at(settings.gc_pauses_file), changed=read_cache.forget)
    revocations = ApiKeyRevocations(nats, api_keys_cache)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await hub.start()
        if nats is not None:
            # Every event of an organization now reaches the hub, which tells the cache.
            read_cache.listen(lambda: nats.is_connected)
        await revocations.start()
        feed = asyncio.create_task(session_feed.run()) if session_feed else None
        _app.state.ready = True
        try:
            yield
        finally:
            _app.state.ready = False
            read_cache.stop()
            if feed is not None:
                feed.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await feed
            await revocations.stop()
            await hub.stop()

    app = FastAPI(
        title="Labs API",
        version="1",
        summary="Agency operations: projects, time, invoices and live margins.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # install_docs serves the page with Swagger UI's assets from the package
        redoc_url=None,
        lifespan=lifespan,
        # FastAPI's own spans would repeat the instrumentation's below, plus, per request, a
        # span for each dependency and one for serializing; the instrumentation's carry the
        # redaction hook (log_redaction.redact_span), so it alone traces.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.settings = settings
    app.state.upstream = upstream
    app.state.nats = nats
    app.state.authenticator = authenticator
    app.state.revoked_sessions = verifier.revoked
    app.state.jwks = jwks
    app.state.hub = hub
    app.state.financials = financials
    app.state.presence = Presence(nats)
    app.state.read_cache = read_cache
    app.state.ready = False  # until the lifespan has started (routes/probes.py)

    # Public: sessions, health, the socket (which authenticates itself) and the platforms'
    # webhooks, Stripe's, GitHub's and Slack's (their signature is the credential).
    app.include_router(auth.router, prefix=API_PREFIX, dependencies=[NoNulCharacters])
    for router in (health.router, ws_endpoint.router, billing_webhooks.router,
                   integrations_webhooks_router):
        app.include_router(router, prefix=API_PREFIX)
    # Every route of these calls services as the authenticated caller (401 without one).
    for router in (organizations.router, members.router, api_keys.router, users.router,
                   projects_area_router, capacity_area_router, time_area_router,
                   billing_area_router, forecasting_area_router, integrations_area_router):
        app.include_router(router, prefix=API_PREFIX, dependencies=[AsCaller, NoNulCharacters])
    app.include_router(well_known.router)
    app.include_router(probes.router)
    install_docs(app, API_PREFIX)
    install_problem_handlers(app)
    install_console(app, Path(settings.console_dir) if settings.console_dir else default_dir())

    # Added innermost first: errors are caught inside the limits, so a 500 still gets headers.
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(BodySizeMiddleware,
                       limits=BodyLimits(settings.max_body_bytes, settings.max_body_bytes_by_path))
    app.add_middleware(ReadCacheMiddleware, cache=read_cache, authenticator=authenticator,
                       financials=financials)
    if settings.rate_limit_enabled:
        app.add_middleware(RateLimitMiddleware, rate=settings.rate_limit,
                           authenticator=authenticator,
                           exempt_paths=settings.rate_limit_exempt_paths)
    app.add_middleware(AccessLogMiddleware)
    if settings.cors_allow_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_allow_origins,
                           allow_methods=["*"], allow_headers=["*"],
                           expose_headers=["ETag", "Retry-After", "RateLimit-Limit",
                                           "RateLimit-Remaining", "RateLimit-Reset"])
    # Outermost, before any layer wraps a socket's `send` (ws/frames.py).
    app.add_middleware(KeepProtocolMiddleware)
    # Sockets live for hours: one span per socket says nothing, and ?token= must not be recorded
    # (nor any credential another URL carries).
    if settings.tracing_enabled:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(app, excluded_urls=f"{API_PREFIX.lstrip('/')}/ws",
                                           server_request_hook=log_redaction.redact_span)
    return app
