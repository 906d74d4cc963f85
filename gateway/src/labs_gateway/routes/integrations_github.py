"""GitHub's webhook: public (the signature is the credential), registered without the caller
dependency, calling integrations with no token.

The body is forwarded as the exact bytes received, never parsed: X-Hub-Signature-256 covers them.
The integrations service verifies the signature, stores the delivery by X-GitHub-Delivery and
applies it after answering, so GitHub hears back at once (it gives up after 10 s and never
redelivers on its own; the integrations reconciler heals what is missed)."""

from __future__ import annotations

from typing import Annotated

import grpc
from fastapi import APIRouter, Header, Request

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs_common.errors import Unauthenticated
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES, Problem, problem_response
from labs_gateway.routes.integrations_common import Integrations
from labs_gateway.schemas.integrations_github import GitHubWebhookReceived
from labs_gateway.upstream import Caller, calling_as, rpc_failure

router = APIRouter(prefix="/webhooks", route_class=ExactJsonRoute, tags=["webhooks"])

SIGNATURE_HEADER = "X-Hub-Signature-256"
EVENT_HEADER = "X-GitHub-Event"
DELIVERY_HEADER = "X-GitHub-Delivery"
BAD_SIGNATURE = "GITHUB_SIGNATURE_INVALID"
MISSING_HEADER = "GITHUB_HEADER_MISSING"
RAW_EVENT = {
    "required": True,
    "content": {"application/json": {"schema": {
        "type": "object", "description": "A GitHub webhook payload, exactly as GitHub sends it."}}},
}
ANSWERS = {
    400: {"model": Problem, "content": {"application/problem+json": {}},
          "description": "X-GitHub-Event or X-GitHub-Delivery missing"},
    401: {"model": Problem, "content": {"application/problem+json": {}},
          "description": "Bad or missing X-Hub-Signature-256"},
    **{status: PROBLEM_RESPONSES[status] for status in (429, 503)},
}


@router.post("/github", response_model=GitHubWebhookReceived, responses=ANSWERS,
             openapi_extra={"requestBody": RAW_EVENT})
async def receive_github_webhook(
    request: Request, integrations: Integrations,
    signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER)] = None,
    event: Annotated[str | None, Header(alias=EVENT_HEADER)] = None,
    delivery: Annotated[str | None, Header(alias=DELIVERY_HEADER)] = None,
):
    """GitHub's webhooks (issues, issue comments, pull requests, reviews, pushes, deployment
    statuses), verified with the webhook secret: a bad or missing signature is a 401, a missing
    event or delivery header a 400. A delivery seen before changes nothing. No bearer token."""
    payload = await request.body()
    for name, value in ((EVENT_HEADER, event), (DELIVERY_HEADER, delivery)):
        if not value:
            return problem_response(400, f"The {name} header is missing.", reason=MISSING_HEADER)
    if not signature:
        return problem_response(401, f"The {SIGNATURE_HEADER} header is missing.",
                                reason=BAD_SIGNATURE)
    try:
        with calling_as(Caller()):
            await integrations.ReceiveGitHubWebhook(pb.ReceiveGitHubWebhookRequest(
                payload=payload, signature=signature, delivery_id=delivery, event=event))
    except grpc.aio.AioRpcError as error:
        failure = rpc_failure(error)
        if isinstance(failure, Unauthenticated):
            return problem_response(401, failure.detail or "The GitHub signature does not verify.",
                                    reason=BAD_SIGNATURE)
        raise
    return GitHubWebhookReceived(received=True)
