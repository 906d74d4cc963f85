"""Slack's slash commands: public (the signature is the credential), registered without the
caller dependency, calling integrations with no token.

The form body is forwarded as the exact bytes received, never parsed here: X-Slack-Signature
covers them (a re-encoded form would not verify). The integrations service verifies the
signature and its timestamp (5 minutes either way), runs the command as the Labs member whose
email is the Slack user's, and answers within Slack's 3 s (slower work follows on the command's
response_url). The answer is the JSON Slack displays. The body is capped like every body."""

from __future__ import annotations

from typing import Annotated

import grpc
from fastapi import APIRouter, Header, Request

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs_common.errors import Unauthenticated
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES, Problem, problem_response
from labs_gateway.routes.integrations_common import Integrations
from labs_gateway.schemas.integrations_slack import SlackCommandReply
from labs_gateway.upstream import Caller, calling_as, rpc_failure

router = APIRouter(prefix="/webhooks", route_class=ExactJsonRoute, tags=["webhooks"])

SIGNATURE_HEADER = "X-Slack-Signature"
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
BAD_SIGNATURE = "SLACK_SIGNATURE_INVALID"
RAW_COMMAND = {
    "required": True,
    "content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object", "description": "A slash command, exactly as Slack sends it."}}},
}
ANSWERS = {
    401: {"model": Problem, "content": {"application/problem+json": {}},
          "description": "Bad, missing or stale X-Slack-Signature"},
    **{status: PROBLEM_RESPONSES[status] for status in (429, 503)},
}


@router.post("/slack", response_model=SlackCommandReply, responses=ANSWERS,
             openapi_extra={"requestBody": RAW_COMMAND})
async def receive_slack_command(
    request: Request, integrations: Integrations,
    signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER)] = None,
    timestamp: Annotated[str | None, Header(alias=TIMESTAMP_HEADER)] = None,
):
    """`/labs time 2h PROJECT note`, `/labs task PROJECT title`, `/labs status PROJECT`,
    `/labs help`, verified with the Slack signing secret: a bad, missing or stale signature is
    a 401. No bearer token."""
    body = await request.body()
    try:
        with calling_as(Caller()):
            reply = await integrations.ReceiveSlackCommand(pb.ReceiveSlackCommandRequest(
                body=body, signature=signature or "", timestamp=timestamp or ""))
    except grpc.aio.AioRpcError as error:
        failure = rpc_failure(error)
        if isinstance(failure, Unauthenticated):
            return problem_response(401, failure.detail or "The Slack signature does not verify.",
                                    reason=BAD_SIGNATURE)
        raise
    return SlackCommandReply(response_type=reply.response_type or "ephemeral", text=reply.text)
