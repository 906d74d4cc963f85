"""Figma's webhooks (v2): public (the passcode in the body is the credential), registered
without the caller dependency, calling integrations with no token.

The body is forwarded as the exact bytes received. The integrations service finds the
connection by the passcode, stores the delivery (a repeat changes nothing) and applies it after
answering, so Figma hears back at once. A wrong or missing passcode is a 401, as a bad
signature is on POST /webhooks/github."""

from __future__ import annotations

import grpc
from fastapi import APIRouter, Request

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs_common.errors import Unauthenticated
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES, Problem, problem_response
from labs_gateway.routes.integrations_common import Integrations
from labs_gateway.schemas.integrations_links import FigmaWebhookReceived
from labs_gateway.upstream import Caller, calling_as, rpc_failure

router = APIRouter(prefix="/webhooks", route_class=ExactJsonRoute, tags=["webhooks"])

BAD_PASSCODE = "FIGMA_PASSCODE_INVALID"
RAW_EVENT = {
    "required": True,
    "content": {"application/json": {"schema": {
        "type": "object", "description": "A Figma webhook payload (FILE_UPDATE, FILE_COMMENT, "
        "PING), exactly as Figma sends it, with its passcode."}}},
}
ANSWERS = {
    401: {"model": Problem, "content": {"application/problem+json": {}},
          "description": "A passcode no Figma connection of this Labs was given, or none"},
    **{status: PROBLEM_RESPONSES[status] for status in (422, 429, 503)},
}


@router.post("/figma", response_model=FigmaWebhookReceived, responses=ANSWERS,
             openapi_extra={"requestBody": RAW_EVENT})
async def receive_figma_webhook(request: Request, integrations: Integrations):
    """Figma's FILE_UPDATE (the links to the file get its new name and last change) and
    FILE_COMMENT (activity on each task that links the file) webhooks, verified by their
    passcode: a wrong or missing one is a 401. A delivery seen before changes nothing. No
    bearer token."""
    payload = await request.body()
    try:
        with calling_as(Caller()):
            await integrations.ReceiveFigmaWebhook(pb.ReceiveFigmaWebhookRequest(
                payload=payload))
    except grpc.aio.AioRpcError as error:
        failure = rpc_failure(error)
        if isinstance(failure, Unauthenticated):
            return problem_response(401, failure.detail or "The Figma passcode is not ours.",
                                    reason=BAD_PASSCODE)
        raise
    return FigmaWebhookReceived(received=True)
