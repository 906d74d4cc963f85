"""Linear's webhook through the gateway, against a fake integrations service over real gRPC:
the exact bytes and Linear's headers forwarded without a token, a signature integrations refuses
(or none sent) is a 401 problem as for GitHub's route, a missing Linear-Delivery a 400 without
asking, and the OpenAPI document describes the route."""

from __future__ import annotations

import grpc
import pytest

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs.integrations.v1 import integrations_service_pb2_grpc as pb_grpc

BODY = b'{"action": "create",  "type": "Issue", "data": {"id": "x"}}\n'
SIGNATURE = "ab" * 32
HEADERS = {"Linear-Signature": SIGNATURE, "Linear-Event": "Issue",
           "Linear-Delivery": "234d1a4e-b617-4388-90fe-adc3633d6b72",
           "content-type": "application/json; charset=utf-8"}


class FakeIntegrations(pb_grpc.IntegrationsServiceServicer):
    def __init__(self) -> None:
        self.received: list[tuple[pb.ReceiveLinearWebhookRequest, dict]] = []
        self.refuse: tuple[grpc.StatusCode, str] | None = None

    async def ReceiveLinearWebhook(self, request, context):
        self.received.append((request, {m.key: m.value for m in context.invocation_metadata()}))
        if self.refuse is not None:
            await context.abort(*self.refuse)
        return pb.ReceiveLinearWebhookResponse(accepted=True)


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
    response = await gateway.post("/api/v1/webhooks/linear", content=BODY, headers={
        **HEADERS, "authorization": "Bearer not-for-integrations"})
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True}
    ((sent, metadata),) = integrations.received
    assert (sent.payload, sent.signature, sent.event, sent.delivery_id) == (
        BODY, SIGNATURE, "Issue", HEADERS["Linear-Delivery"])
    assert "authorization" not in metadata


async def test_a_signature_or_timestamp_integrations_refuses_is_a_401_problem(gateway,
                                                                              integrations):
    integrations.refuse = (grpc.StatusCode.UNAUTHENTICATED, "The webhookTimestamp is stale.")
    response = await gateway.post("/api/v1/webhooks/linear", content=BODY, headers=HEADERS)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["reason"] == "LINEAR_SIGNATURE_INVALID"
    assert "webhookTimestamp" in response.json()["detail"]


async def test_a_missing_delivery_is_400_and_a_missing_signature_401_without_asking(
        gateway, integrations):
    headers = {k: v for k, v in HEADERS.items() if k != "Linear-Delivery"}
    response = await gateway.post("/api/v1/webhooks/linear", content=BODY, headers=headers)
    assert response.status_code == 400, response.text
    assert "Linear-Delivery" in response.json()["detail"]
    headers = {k: v for k, v in HEADERS.items() if k != "Linear-Signature"}
    response = await gateway.post("/api/v1/webhooks/linear", content=BODY, headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["reason"] == "LINEAR_SIGNATURE_INVALID"
    assert integrations.received == []


async def test_the_route_is_documented(gateway):
    spec = (await gateway.get("/api/v1/openapi.json")).json()
    webhook = spec["paths"]["/api/v1/webhooks/linear"]["post"]
    names = {p["name"] for p in webhook["parameters"]}
    assert {"Linear-Signature", "Linear-Delivery", "Linear-Event"} <= names
    assert {"200", "400", "401"} <= set(webhook["responses"])
    assert not webhook.get("security")
