"""The capacity area's routes as one router, so the app registers it with one line."""

from __future__ import annotations

from fastapi import APIRouter

from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.routes import capacity_allocations, capacity_resources

router = APIRouter(route_class=ExactJsonRoute)
router.include_router(capacity_resources.router)
router.include_router(capacity_allocations.router)
