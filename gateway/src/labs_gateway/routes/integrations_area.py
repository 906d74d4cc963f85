"""The integrations area's routes as two routers, so the app registers each with one line:
`router` for the caller's own requests (connections, outgoing webhook endpoints), `public` for
the platforms' webhooks, whose signature is the credential."""

from __future__ import annotations

from fastapi import APIRouter

from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.routes import (
    integrations_connections,
    integrations_figma,
    integrations_github,
    integrations_linear,
    integrations_links,
    integrations_slack,
    integrations_webhook_endpoints,
)

router = APIRouter(route_class=ExactJsonRoute)
public = APIRouter(route_class=ExactJsonRoute)
router.include_router(integrations_connections.router)
router.include_router(integrations_webhook_endpoints.router)
public.include_router(integrations_github.router)
public.include_router(integrations_slack.router)

# Linear's webhook (POST /webhooks/linear).
public.include_router(integrations_linear.router)

# Links of tasks and projects (/tasks/{id}/links, /projects/{id}/links, /links/{id}) and
# Figma's webhook (POST /webhooks/figma, its passcode the credential).
router.include_router(integrations_links.router)
public.include_router(integrations_figma.router)
