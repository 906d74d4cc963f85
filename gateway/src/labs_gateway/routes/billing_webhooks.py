"""Stripe's webhook: public (the signature is the credential), so it is registered without the
caller dependency and calls billing with no token, as signup calls identity.

The body is forwarded as the exact bytes received, never parsed: the signature covers them, and
any re-encoding would break it. The billing service verifies the signature, stores the event in
its inbox by event id and applies it after answering, so Stripe hears back at once. The body is
capped like every body (1 MiB, `GatewaySettings.max_body_bytes_by_path`): 413 beyond."""

from __future__ import annotations

from typing import Annotated

import grpc
from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from labs.billing.v1 import billing_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES, Problem, problem_response
from labs_gateway.routes.billing_common import Billing
from labs_gateway.schemas.billing import StripeEventReceived
from labs_gateway.upstream import Caller, calling_as, rpc_failure

router = APIRouter(prefix="/webhooks", route_class=ExactJsonRoute, tags=["webhooks"])

SIGNATURE_HEADER = "Stripe-Signature"
BAD_SIGNATURE = "STRIPE_SIGNATURE_INVALID"
RAW_EVENT = {
    "required": True,
    "content": {"application/json": {"schema": {
        "type": "object", "description": "A Stripe event, exactly as Stripe sends it."}}},
}
ANSWERS = {
    400: {"model": Problem, "content": {"application/problem+json": {}},
          "description": "Bad or missing Stripe-Signature"},
    **{status: PROBLEM_RESPONSES[status] for status in (429, 503)},
}


@router.post("/stripe", response_model=StripeEventReceived, responses=ANSWERS,
             openapi_extra={"requestBody": RAW_EVENT})
async def receive_stripe_event(
    request: Request, billing: Billing,
    signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER)] = None,
):
    """Stripe's events (payments, voids, subscription changes), verified with the platform's
    signing secret (5-minute tolerance); a bad or missing signature is a 400. An event seen
    before changes nothing. No bearer token: the signature is the credential."""
    payload = await request.body()
    if not signature:
        return problem_response(400, f"The {SIGNATURE_HEADER} header is missing.",
                                reason=BAD_SIGNATURE)
    try:
        with calling_as(Caller()):
            await billing.ReceiveStripeEvent(
                pb.ReceiveStripeEventRequest(payload=payload, signature=signature))
    except grpc.aio.AioRpcError as error:
        failure = rpc_failure(error)
        if isinstance(failure, InvalidArgument):
            return _bad_signature(failure)
        raise
    return StripeEventReceived(received=True)


def _bad_signature(failure: InvalidArgument) -> JSONResponse:
    return problem_response(400, failure.detail or "The Stripe signature does not verify.",
                            reason=BAD_SIGNATURE)
