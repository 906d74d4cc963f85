"""The organization's own Labs plan: read it, start or change it (through Stripe)."""

from __future__ import annotations

from fastapi import APIRouter

from labs.billing.v1 import billing_service_pb2 as pb
from labs_gateway.dependencies import IdempotentWrite
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.billing_common import Billing
from labs_gateway.schemas.billing import SubscriptionChange, SubscriptionPublic
from labs_gateway.schemas.proto_json import to_message
from labs_gateway.schemas.public import public

router = APIRouter(prefix="/billing", route_class=ExactJsonRoute, tags=["billing"],
                   responses=PROBLEM_RESPONSES)


@router.get("/subscription", response_model=SubscriptionPublic)
async def get_subscription(billing: Billing):
    """The organization's Labs plan, its status and renewal date. Any staff role."""
    found = await billing.GetSubscription(pb.GetSubscriptionRequest())
    return public(found.subscription)


@router.post("/subscription", response_model=SubscriptionPublic, dependencies=[IdempotentWrite])
async def change_subscription(body: SubscriptionChange, billing: Billing):
    """Start or change the organization's plan through Stripe; `status` reads `pending` until
    Stripe has answered. Owner or admin."""
    changed = await billing.ChangeSubscription(
        to_message(pb.ChangeSubscriptionRequest, body.model_dump()))
    return public(changed.subscription)
