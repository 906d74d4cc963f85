"""GitHub's webhook through the gateway, against a fake integrations service over real gRPC:
the exact bytes and the three headers forwarded without a token, a signature integrations
refuses (or none sent) is a 401 problem, a missing event or delivery header a 400 without
asking, and the OpenAPI document describes the route."""

from __future__ import annotations

import grpc
import pytest

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs.integrations.v1 import integrations_service_pb2_grpc as pb_grpc

BODY = b'{\n  "action": "opened",  "issue": {"number": 1}}\n'
SIGNATURE = "sha256=" + "ab" * 32
HEADERS = {"X-Hub-Signature-256": SIGNATURE, "X-GitHub-Event": "issues",
           "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
           "content-type": "application/json"}


class FakeIntegrations(pb_grpc.IntegrationsServiceServicer):
    def __init__(self) -> None:
        self.received: list[tuple[pb.ReceiveGitHubWebhookRequest, dict]] = []
        self.refuse: tuple[grpc.StatusCode, str] | None = None

    async def ReceiveGitHubWebhook(self, request, context):
        self.received.append((request, {m.key: m.value for m in context.invocation_metadata()}))
        if self.refuse is not None:
            await context.abort(*self.refuse)
        return pb.ReceiveGitHubWebhookResponse(accepted=True)


@pytest.fixture
async def integrations(serve_servicer):
    fake = FakeIntegrations()
    fake.address = await serve_servicer(pb_grpc.add_IntegrationsServiceServicer_to_server,
                                        fake)
    return fake


@pytest.fixture
def gateway(make_client, integrations):
    return make_client(integrations_addr=integrations.address)


async def test_the_exact_bytes_and_headers_are_forwarded_without_a_token(gateway, integrations):
    response = await gateway.post("/api/v1/webhooks/github", content=BODY, headers={
        **HEADERS, "authorization": "Bearer not-for-integrations"})
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True}
    ((sent, metadata),) = integrations.received
    assert (sent.payload, sent.signature, sent.event, sent.delivery_id) == (
        BODY, SIGNATURE, "issues", HEADERS["X-GitHub-Delivery"])
    assert "authorization" not in metadata


async def test_a_signature_integrations_refuses_is_a_401_problem(gateway, integrations):
    integrations.refuse = (grpc.StatusCode.UNAUTHENTICATED, "The signature does not verify.")
    response = await gateway.post("/api/v1/webhooks/github", content=BODY, headers=HEADERS)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["reason"] == "GITHUB_SIGNATURE_INVALID"


@pytest.mark.parametrize("header", ["X-GitHub-Event", "X-GitHub-Delivery"])
async def test_a_missing_event_or_delivery_header_is_400_without_asking(gateway, integrations,
                                                                        header):
    headers = {k: v for k, v in HEADERS.items() if k != header}
    response = await gateway.post("/api/v1/webhooks/github", content=BODY, headers=headers)
    assert response.status_code == 400, response.text
    assert header in response.json()["detail"]
    assert integrations.received == []


async def test_a_missing_signature_is_401_without_asking(gateway, integrations):
    headers = {k: v for k, v in HEADERS.items() if k != "X-Hub-Signature-256"}
    response = await gateway.post("/api/v1/webhooks/github", content=BODY, headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["reason"] == "GITHUB_SIGNATURE_INVALID"
    assert integrations.received == []


async def test_the_route_is_documented(gateway):
    spec = (await gateway.get("/api/v1/openapi.json")).json()
    webhook = spec["paths"]["/api/v1/webhooks/github"]["post"]
    names = {p["name"] for p in webhook["parameters"]}
    assert {"X-Hub-Signature-256", "X-GitHub-Event", "X-GitHub-Delivery"} <= names
    assert {"200", "400", "401"} <= set(webhook["responses"])
    assert not webhook.get("security")
