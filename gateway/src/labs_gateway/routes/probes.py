"""GET /livez and GET /readyz: the kubelet's questions about this gateway process alone.

GET /api/v1/health asks every service and NATS; a readiness probe on it takes every gateway out
of the Service when any one upstream is sick, so nothing is served at all, not even what the
healthy services could answer. These answer from the process itself: live while its event loop
runs a handler, ready from the end of start-up (the live-update hub subscribed) until its
shutdown begins (app.state.ready, set by the app's lifespan). Served at the root like
/.well-known, outside the public API and its OpenAPI.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from labs_gateway.exact_json import ExactJsonRoute

router = APIRouter(route_class=ExactJsonRoute, include_in_schema=False)

NO_STORE = {"Cache-Control": "no-store"}


@router.get("/livez")
async def livez() -> JSONResponse:
    """200 whenever the event loop gets to run this: a stuck loop times the probe out."""
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """200 while this gateway takes requests; 503 before start-up ends and once shutdown begins."""
    if getattr(request.app.state, "ready", False):
        return JSONResponse({"status": "ok"}, headers=NO_STORE)
    return JSONResponse({"status": "unavailable"}, status_code=503, headers=NO_STORE)
