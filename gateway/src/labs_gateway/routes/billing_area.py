"""The billing area's routes as one router, so the app registers it with one line (the Stripe
webhook is public and registered apart: routes/billing_webhooks.py)."""

from __future__ import annotations

from fastapi import APIRouter

from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.routes import billing_invoices, billing_subscription

router = APIRouter(route_class=ExactJsonRoute)
router.include_router(billing_invoices.router)
router.include_router(billing_subscription.router)
