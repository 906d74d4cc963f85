"""Figma's webhook and the link routes through the gateway, against a fake integrations service
over real gRPC: the webhook's exact bytes forwarded without a token, a passcode integrations
refuses a 401 problem as a bad GitHub signature is; a link created is a 201, the same target
again a 200 with the existing link; the routes are documented."""

from __future__ import annotations

import uuid

import grpc
import pytest

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs.integrations.v1 import integrations_service_pb2_grpc as pb_grpc

BODY = b'{"event_type": "FILE_UPDATE", "passcode": "p", "file_key": "k",  "retries": 0}'


class FakeIntegrations(pb_grpc.IntegrationsServiceServicer):
    def __init__(self) -> None:
        self.received: list[tuple[pb.ReceiveFigmaWebhookRequest, dict]] = []
        self.refuse: tuple[grpc.StatusCode, str] | None = None
        self.links: dict[str, pb.Link] = {}

    async def ReceiveFigmaWebhook(self, request, context):
        self.received.append((request, {m.key: m.value for m in context.invocation_metadata()}))
        if self.refuse is not None:
            await context.abort(*self.refuse)
        return pb.ReceiveFigmaWebhookResponse(accepted=True)

    async def CreateLink(self, request, context):
        held = self.links.get(request.url)
        if held is not None:
            return pb.CreateLinkResponse(link=held, created=False)
        link = pb.Link(id=str(uuid.uuid4()), url=request.url, platform=pb.PLATFORM_FIGMA,
                       task_id=request.task_id, project_id=str(uuid.uuid4()))
        self.links[request.url] = link
        return pb.CreateLinkResponse(link=link, created=True)


@pytest.fixture
async def integrations(serve_servicer):
    fake = FakeIntegrations()
    fake.address = await serve_servicer(pb_grpc.add_IntegrationsServiceServicer_to_server,
                                        fake)
    return fake


@pytest.fixture
def gateway(make_client, integrations):
    return make_client(integrations_addr=integrations.address)


async def test_the_exact_bytes_are_forwarded_without_a_token(gateway, integrations):
    response = await gateway.post("/api/v1/webhooks/figma", content=BODY, headers={
        "content-type": "application/json", "authorization": "Bearer not-for-integrations"})
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True}
    ((sent, metadata),) = integrations.received
    assert sent.payload == BODY
    assert "authorization" not in metadata


async def test_a_passcode_integrations_refuses_is_a_401_problem(gateway, integrations):
    integrations.refuse = (grpc.StatusCode.UNAUTHENTICATED, "No Figma connection gave it.")
    response = await gateway.post("/api/v1/webhooks/figma", content=BODY,
                                  headers={"content-type": "application/json"})
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["reason"] == "FIGMA_PASSCODE_INVALID"


@pytest.fixture
def auth_headers(issue_token) -> dict[str, str]:
    return {"authorization": f"Bearer {issue_token(role='member')}"}


async def test_a_new_link_is_201_and_the_same_target_again_200(gateway, integrations,
                                                              auth_headers):
    task = uuid.uuid4()
    body = {"url": "https://www.figma.com/file/aBc123XyZ789qwe"}
    first = await gateway.post(f"/api/v1/tasks/{task}/links", json=body, headers=auth_headers)
    assert first.status_code == 201, first.text
    shown = first.json()
    assert (shown["platform"], shown["task_id"], shown["title"], shown["updated_at"]) == (
        "figma", str(task), None, None)
    again = await gateway.post(f"/api/v1/tasks/{task}/links", json=body, headers=auth_headers)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == shown["id"]


async def test_the_routes_are_documented(gateway):
    spec = (await gateway.get("/api/v1/openapi.json")).json()
    webhook = spec["paths"]["/api/v1/webhooks/figma"]["post"]
    assert {"200", "400", "401"} <= set(webhook["responses"])
    assert not webhook.get("security")
    for path, methods in (("/api/v1/tasks/{id}/links", {"get", "post"}),
                          ("/api/v1/projects/{id}/links", {"get", "post"}),
                          ("/api/v1/links/{id}", {"delete"})):
        assert methods <= set(spec["paths"][path]), path
    assert {"200", "201", "403", "404", "422"} <= set(
        spec["paths"]["/api/v1/tasks/{id}/links"]["post"]["responses"])
