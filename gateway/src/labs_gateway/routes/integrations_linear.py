"""Linear's webhook: public (the signature is the credential), registered without the caller
dependency, calling integrations with no token.

The body is forwarded as the exact bytes received, never parsed: Linear-Signature covers them.
The integrations service verifies the signature and the delivery's webhookTimestamp (within a
minute), stores the delivery by Linear-Delivery and applies it after answering, so Linear hears
back at once (it waits 5 s, retries a few times, then gives up; the integrations reconciler
heals what is missed). Refusals answer as POST /webhooks/github's do: 401 for a bad, missing or
stale signature, 400 for a missing delivery id."""

from __future__ import annotations

from typing import Annotated

import grpc
from fastapi import APIRouter, Header, Request

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs_common.errors import Unauthenticated
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES, Problem, problem_response
from labs_gateway.routes.integrations_common import Integrations
from labs_gateway.schemas.integrations_linear import LinearWebhookReceived
from labs_gateway.upstream import Caller, calling_as, rpc_failure

router = APIRouter(prefix="/webhooks", route_class=ExactJsonRoute, tags=["webhooks"])

SIGNATURE_HEADER = "Linear-Signature"
DELIVERY_HEADER = "Linear-Delivery"
EVENT_HEADER = "Linear-Event"
BAD_SIGNATURE = "LINEAR_SIGNATURE_INVALID"
MISSING_HEADER = "LINEAR_HEADER_MISSING"
RAW_EVENT = {
    "required": True,
    "content": {"application/json": {"schema": {
        "type": "object", "description": "A Linear webhook payload, exactly as Linear sends it "
        "(`action`, `type`, `data`, `organizationId`, `webhookTimestamp`...)."}}},
}
ANSWERS = {
    400: {"model": Problem, "content": {"application/problem+json": {}},
          "description": "Linear-Delivery missing"},
    401: {"model": Problem, "content": {"application/problem+json": {}},
          "description": "Bad or missing Linear-Signature, or a webhookTimestamp more than "
                         "60 s from now"},
    **{status: PROBLEM_RESPONSES[status] for status in (429, 503)},
}


@router.post("/linear", response_model=LinearWebhookReceived, responses=ANSWERS,
             openapi_extra={"requestBody": RAW_EVENT})
async def receive_linear_webhook(
    request: Request, integrations: Integrations,
    signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER)] = None,
    delivery: Annotated[str | None, Header(alias=DELIVERY_HEADER)] = None,
    event: Annotated[str | None, Header(alias=EVENT_HEADER)] = None,
):
    """Linear's webhooks (issues created, updated and removed in the teams and projects the
    connection maps), verified with the webhook secret: a bad or missing signature, or one
    more than 60 s old, is a 401; a missing Linear-Delivery a 400. A delivery seen before
    changes nothing. No bearer token."""
    payload = await request.body()
    if not delivery:
        return problem_response(400, f"The {DELIVERY_HEADER} header is missing.",
                                reason=MISSING_HEADER)
    if not signature:
        return problem_response(401, f"The {SIGNATURE_HEADER} header is missing.",
                                reason=BAD_SIGNATURE)
    try:
        with calling_as(Caller()):
            await integrations.ReceiveLinearWebhook(pb.ReceiveLinearWebhookRequest(
                payload=payload, signature=signature, delivery_id=delivery, event=event or ""))
    except grpc.aio.AioRpcError as error:
        failure = rpc_failure(error)
        if isinstance(failure, Unauthenticated):
            return problem_response(401, failure.detail or "The Linear signature does not "
                                    "verify.", reason=BAD_SIGNATURE)
        raise
    return LinearWebhookReceived(received=True)
