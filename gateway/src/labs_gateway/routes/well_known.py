"""GET /.well-known/jwks.json (at the root): the public keys that verify access tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from labs_gateway.exact_json import ExactJsonRoute

router = APIRouter(route_class=ExactJsonRoute, tags=["auth"])


@router.get("/.well-known/jwks.json")
async def jwks(request: Request) -> JSONResponse:
    """The JSON Web Key Set identity signs access tokens with."""
    keys = await request.app.state.jwks.keys()
    max_age = int(request.app.state.settings.jwks_cache_seconds)
    return JSONResponse({"keys": keys}, headers={"Cache-Control": f"public, max-age={max_age}"})
