"""Outgoing webhook endpoints through the gateway, against a fake integrations service over real
gRPC that records what the gateway sent: the routes, request validation (422s before any call),
the objects as REST shows them (the secret only in the create's answer), and the service's
refusals (a role too low → 403, another org's endpoint → 404, a private URL → 422)."""

from __future__ import annotations

import uuid

import pytest
from google.protobuf import timestamp_pb2

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs.integrations.v1 import integrations_service_pb2_grpc as integrations_grpc
from labs_common.errors import InvalidArgument, LabsError, NotFound, PermissionDenied
from labs_common.grpc.status import to_status

ORG_ID = uuid.uuid4()
ENDPOINT_ID = str(uuid.uuid4())
DELIVERY_ID = str(uuid.uuid4())
EVENT_ID = str(uuid.uuid4())
SECRET = "whsec_" + "x" * 43
WHEN = timestamp_pb2.Timestamp(seconds=1_800_000_000)


def endpoint(**fields) -> pb.WebhookEndpoint:
    values = dict(id=ENDPOINT_ID, url="https://example.com/hooks", events=["task:updated"],
                  created_at=WHEN, created_by=str(uuid.uuid4()))
    values.update(fields)
    return pb.WebhookEndpoint(**values)


def delivery(**fields) -> pb.WebhookDelivery:
    values = dict(id=DELIVERY_ID, endpoint_id=ENDPOINT_ID, event_id=EVENT_ID,
                  event_type="task:updated", status=pb.DELIVERY_STATUS_FAILED, attempts=3,
                  last_status_code=500, last_error="HTTP 500: boom", created_at=WHEN,
                  last_attempt_at=WHEN)
    values.update(fields)
    return pb.WebhookDelivery(**values)


class FakeIntegrations(integrations_grpc.IntegrationsServiceServicer):
    def __init__(self) -> None:
        self.requests: dict[str, list] = {}
        self.refuse: dict[str, LabsError] = {}

    async def _take(self, method: str, request, context) -> None:
        self.requests.setdefault(method, []).append(request)
        if (refusal := self.refuse.get(method)) is not None:
            await context.abort_with_status(to_status(refusal))

    def only(self, method: str):
        [request] = self.requests[method]
        return request

    async def CreateWebhookEndpoint(self, request, context):
        await self._take("CreateWebhookEndpoint", request, context)
        return pb.CreateWebhookEndpointResponse(endpoint=endpoint(
            url=request.endpoint.url, events=request.endpoint.events, secret=SECRET))

    async def ListWebhookEndpoints(self, request, context):
        await self._take("ListWebhookEndpoints", request, context)
        return pb.ListWebhookEndpointsResponse(endpoints=[endpoint()], next_page_token="next")

    async def DeleteWebhookEndpoint(self, request, context):
        await self._take("DeleteWebhookEndpoint", request, context)
        return pb.DeleteWebhookEndpointResponse()

    async def ListWebhookDeliveries(self, request, context):
        await self._take("ListWebhookDeliveries", request, context)
        return pb.ListWebhookDeliveriesResponse(deliveries=[
            delivery(), delivery(id=str(uuid.uuid4()), status=pb.DELIVERY_STATUS_PENDING,
                                 attempts=0, last_status_code=0, last_error="",
                                 last_attempt_at=None, next_attempt_at=WHEN)])

    async def RedeliverWebhook(self, request, context):
        await self._take("RedeliverWebhook", request, context)
        return pb.RedeliverWebhookResponse(delivery=delivery(
            id=request.delivery_id, status=pb.DELIVERY_STATUS_PENDING, next_attempt_at=WHEN))


@pytest.fixture
async def integrations(serve_servicer):
    fake = FakeIntegrations()
    fake.address = await serve_servicer(integrations_grpc.add_IntegrationsServiceServicer_to_server,
                                        fake)
    return fake


@pytest.fixture
def gateway(make_client, integrations):
    return make_client(integrations_addr=integrations.address)


@pytest.fixture
def token(issue_token):
    def make(role: str = "admin", **claims) -> dict[str, str]:
        return {"authorization": f"Bearer {issue_token(ORG_ID, role, **claims)}"}
    return make


BASE = "/api/v1/webhook-endpoints"
ROUTES = [
    ("get", BASE, "200"),
    ("post", BASE, "201"),
    ("delete", BASE + "/{id}", "204"),
    ("get", BASE + "/{id}/deliveries", "200"),
    ("post", BASE + "/{id}/deliveries/{delivery_id}/redeliver", "200"),
]


def _url(path: str) -> str:
    return path.replace("{id}", ENDPOINT_ID).replace("{delivery_id}", DELIVERY_ID)


async def test_openapi_lists_every_webhook_endpoint_route_with_its_statuses(gateway):
    spec = (await gateway.get("/api/v1/openapi.json")).json()
    for method, path, success in ROUTES:
        operation = spec["paths"]["/api/v1" + path.removeprefix("/api/v1")][method]
        assert success in operation["responses"], (method, path)
        assert operation["summary"] and operation.get("description"), (method, path)
        assert {"401", "403", "404"} <= set(operation["responses"]), (method, path)
    schemas = spec["components"]["schemas"]
    assert set(schemas["WebhookEndpointCreate"]["required"]) == {"url", "events"}
    assert schemas["WebhookEndpointCreate"]["additionalProperties"] is False


async def test_every_route_needs_a_caller(gateway, integrations):
    for method, path, _ in ROUTES:
        response = await gateway.request(method.upper(), _url(path),
                                         json={} if method == "post" else None)
        assert response.status_code == 401, (method, path)
    assert integrations.requests == {}


async def test_creating_sends_url_and_events_and_answers_the_secret_once(gateway, integrations,
                                                                         token):
    response = await gateway.post(BASE, json={"url": "https://example.com/hooks",
                                              "events": ["task:updated", "invoice:paid"]},
                                  headers=token())
    assert response.status_code == 201, response.text
    sent = integrations.only("CreateWebhookEndpoint").endpoint
    assert (sent.url, list(sent.events)) == ("https://example.com/hooks",
                                             ["task:updated", "invoice:paid"])
    assert response.json() == {"id": ENDPOINT_ID, "url": "https://example.com/hooks",
                               "events": ["task:updated", "invoice:paid"], "secret": SECRET,
                               "created_at": "2027-01-15T08:00:00Z"}
    listed = await gateway.get(BASE + "?limit=10", headers=token("manager"))
    assert listed.status_code == 200, listed.text
    assert integrations.only("ListWebhookEndpoints").page_size == 10
    (shown,) = listed.json()["webhook_endpoints"]
    assert "secret" not in shown and shown["id"] == ENDPOINT_ID
    assert listed.json()["next_cursor"] == "next"


@pytest.mark.parametrize("body, field", [
    ({"events": ["*"]}, "url"),
    ({"url": "https://example.com/hooks"}, "events"),
    ({"url": "https://example.com/hooks", "events": []}, "events"),
    ({"url": "https://example.com/hooks", "events": "*"}, "events"),
    ({"url": "https://example.com/hooks", "events": ["*"], "secret": "mine"}, "secret"),
])
async def test_a_bad_body_is_a_422_naming_the_field_before_any_call(gateway, integrations,
                                                                    token, body, field):
    response = await gateway.post(BASE, json=body, headers=token())
    assert response.status_code == 422, response.text
    assert field in {error["field"] for error in response.json()["errors"]}
    assert integrations.requests == {}


async def test_the_services_refusals_are_the_api_statuses(gateway, integrations, token):
    integrations.refuse["CreateWebhookEndpoint"] = InvalidArgument.on(
        "url", "must reach a public address")
    refused = await gateway.post(BASE, json={"url": "http://127.0.0.1/x", "events": ["*"]},
                                 headers=token())
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["url"]

    integrations.refuse["DeleteWebhookEndpoint"] = PermissionDenied(
        "This needs the admin role or higher.", reason="ROLE_TOO_LOW")
    assert (await gateway.delete(_url(BASE + "/{id}"), headers=token("manager"))
            ).status_code == 403

    integrations.refuse["ListWebhookDeliveries"] = NotFound("No such webhook endpoint.")
    assert (await gateway.get(_url(BASE + "/{id}/deliveries"), headers=token())
            ).status_code == 404


async def test_delete_is_a_204(gateway, integrations, token):
    response = await gateway.delete(_url(BASE + "/{id}"), headers=token())
    assert response.status_code == 204 and response.content == b""
    assert integrations.only("DeleteWebhookEndpoint").endpoint_id == ENDPOINT_ID


async def test_deliveries_are_listed_and_redelivered_as_rest_objects(gateway, integrations,
                                                                      token):
    response = await gateway.get(_url(BASE + "/{id}/deliveries") + "?cursor=abc",
                                 headers=token("manager"))
    assert response.status_code == 200, response.text
    assert integrations.only("ListWebhookDeliveries").page_token == "abc"
    failed, pending = response.json()["deliveries"]
    assert failed == {"id": DELIVERY_ID, "endpoint_id": ENDPOINT_ID, "event_id": EVENT_ID,
                      "event_type": "task:updated", "status": "failed", "attempts": 3,
                      "last_status_code": 500, "last_error": "HTTP 500: boom",
                      "created_at": "2027-01-15T08:00:00Z",
                      "last_attempt_at": "2027-01-15T08:00:00Z", "next_attempt_at": None}
    assert (pending["status"], pending["last_status_code"], pending["last_error"]) == (
        "pending", None, None)

    again = await gateway.post(_url(BASE + "/{id}/deliveries/{delivery_id}/redeliver"),
                               headers=token())
    assert again.status_code == 200, again.text
    sent = integrations.only("RedeliverWebhook")
    assert (sent.endpoint_id, sent.delivery_id) == (ENDPOINT_ID, DELIVERY_ID)
    assert again.json()["status"] == "pending" and again.json()["id"] == DELIVERY_ID


async def test_malformed_ids_are_404s_before_any_call(gateway, integrations, token):
    for method, path, _ in ROUTES[2:]:
        url = path.replace("{id}", "not-a-uuid").replace("{delivery_id}", DELIVERY_ID)
        response = await gateway.request(method.upper(), url, headers=token())
        assert response.status_code in (404, 422), (method, path, response.status_code)
    assert integrations.requests == {}
