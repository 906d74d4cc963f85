"""Outgoing webhook endpoints for integrators and their deliveries: every event an endpoint
hears is POSTed as the WebSocket shows it to the endpoint's creator, signed `Labs-Signature:
t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, retried with backoff for 3 days."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, status
from fastapi.responses import Response

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs_gateway.dependencies import IdempotentWrite
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.integrations_common import Integrations
from labs_gateway.routes.members import Cursor, Limit
from labs_gateway.schemas.proto_json import to_public
from labs_gateway.schemas.public import current_reader
from labs_gateway.schemas.webhook_endpoints import (
    WebhookDeliveryList,
    WebhookDeliveryPublic,
    WebhookEndpointCreate,
    WebhookEndpointList,
    WebhookEndpointPublic,
)

router = APIRouter(route_class=ExactJsonRoute, tags=["integrations"],
                   responses=PROBLEM_RESPONSES)

EndpointId = Annotated[uuid.UUID, Path(alias="id")]
DeliveryId = Annotated[uuid.UUID, Path(alias="delivery_id")]


def endpoint_public(message: pb.WebhookEndpoint) -> WebhookEndpointPublic:
    """The endpoint; `secret` only when the service answered one (the create)."""
    shown = to_public(WebhookEndpointPublic, message, current_reader())
    if not message.secret:
        return WebhookEndpointPublic(**shown.model_dump(exclude={"secret"}))
    return shown


def delivery_public(message: pb.WebhookDelivery) -> WebhookDeliveryPublic:
    return to_public(WebhookDeliveryPublic, message, current_reader(),
                     last_status_code=message.last_status_code or None,
                     last_error=message.last_error or None)


@router.get("/webhook-endpoints", response_model=WebhookEndpointList)
async def list_webhook_endpoints(integrations: Integrations, limit: Limit = 50,
                                 cursor: Cursor = None):
    """The organization's webhook endpoints, oldest first (secrets are not shown). Manager or
    above."""
    page = await integrations.ListWebhookEndpoints(pb.ListWebhookEndpointsRequest(
        page_size=limit, page_token=cursor or ""))
    return WebhookEndpointList(webhook_endpoints=[endpoint_public(e) for e in page.endpoints],
                               next_cursor=page.next_page_token or None)


@router.post("/webhook-endpoints", status_code=status.HTTP_201_CREATED,
             response_model=WebhookEndpointPublic, dependencies=[IdempotentWrite])
async def create_webhook_endpoint(body: WebhookEndpointCreate, integrations: Integrations):
    """Register an endpoint; the answer carries its signing secret, shown this once. A URL on a
    private, loopback or link-local address is refused. Admin or above."""
    created = await integrations.CreateWebhookEndpoint(pb.CreateWebhookEndpointRequest(
        endpoint=pb.WebhookEndpoint(url=body.url, events=body.events)))
    return endpoint_public(created.endpoint)


@router.delete("/webhook-endpoints/{id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, dependencies=[IdempotentWrite])
async def delete_webhook_endpoint(endpoint_id: EndpointId, integrations: Integrations
                                  ) -> Response:
    """Stop deliveries to an endpoint; pending ones are dropped. Admin or above."""
    await integrations.DeleteWebhookEndpoint(
        pb.DeleteWebhookEndpointRequest(endpoint_id=str(endpoint_id)))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/webhook-endpoints/{id}/deliveries", response_model=WebhookDeliveryList)
async def list_webhook_deliveries(endpoint_id: EndpointId, integrations: Integrations,
                                  limit: Limit = 50, cursor: Cursor = None):
    """An endpoint's deliveries, newest first: status, attempts, the last answer. Manager or
    above."""
    page = await integrations.ListWebhookDeliveries(pb.ListWebhookDeliveriesRequest(
        endpoint_id=str(endpoint_id), page_size=limit, page_token=cursor or ""))
    return WebhookDeliveryList(deliveries=[delivery_public(d) for d in page.deliveries],
                               next_cursor=page.next_page_token or None)


@router.post("/webhook-endpoints/{id}/deliveries/{delivery_id}/redeliver",
             response_model=WebhookDeliveryPublic, dependencies=[IdempotentWrite])
async def redeliver_webhook(endpoint_id: EndpointId, delivery_id: DeliveryId,
                            integrations: Integrations):
    """Send a delivery again now: the same body and Labs-Event-Id, as one more attempt. Admin or
    above."""
    again = await integrations.RedeliverWebhook(pb.RedeliverWebhookRequest(
        endpoint_id=str(endpoint_id), delivery_id=str(delivery_id)))
    return delivery_public(again.delivery)
