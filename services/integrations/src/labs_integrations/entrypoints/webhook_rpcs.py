"""The outgoing webhooks' RPCs of IntegrationsService (a mixin of IntegrationsServicer): map the
request in, run one handler in one transaction as the caller, map the result out.

Creating an endpoint resolves its host and refuses private targets (adapters/targets.py)
before the transaction opens (DNS may take seconds); an admin is checked first, so nobody else
learns what a name resolves to."""

from __future__ import annotations

from functools import partial

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs_common.auth.principal import current_principal
from labs_common.auth.roles import Role
from labs_common.pagination import after_creation, page_size
from labs_common.parsing import object_id
from labs_integrations.adapters import webhook_proto
from labs_integrations.domain import webhooks
from labs_integrations.domain.webhook_commands import (
    CreateWebhookEndpoint,
    DeleteWebhookEndpoint,
    ListWebhookDeliveries,
    ListWebhookEndpoints,
    RedeliverWebhook,
)
from labs_integrations.service_layer import webhook_endpoints as handlers
from labs_integrations.service_layer.webhook_delivery import WEBHOOKS_SWEEPER, Waker


class WebhookEndpointRpcs:
    """Needs the servicer's `_vault` and `_webhook_targets` (a TargetGuard) collaborators and its
    `_wake` of the "webhooks" sweeper (main.py Parts)."""

    async def CreateWebhookEndpoint(self, request, context) -> pb.CreateWebhookEndpointResponse:
        given = request.endpoint
        current_principal().require(Role.ADMIN)
        url = webhooks.check_url(given.url)
        events = webhooks.check_events(given.events)
        await self._webhook_targets.check(url)  # type: ignore[attr-defined]
        command = CreateWebhookEndpoint(url=url, events=events)
        handler = partial(handlers.create_endpoint, vault=self._vault)  # type: ignore[attr-defined]
        return await self._handle(context, request, handler, command,  # type: ignore[attr-defined]
                                  endpoint=webhook_proto.endpoint)

    async def ListWebhookEndpoints(self, request, context) -> pb.ListWebhookEndpointsResponse:
        limit = page_size(request.page_size)
        command = ListWebhookEndpoints(after=after_creation(request.page_token), limit=limit)
        return await self._handle_page(  # type: ignore[attr-defined]
            context, request, handlers.list_endpoints, command, limit,
            endpoints=webhook_proto.endpoint)

    async def DeleteWebhookEndpoint(self, request, context) -> pb.DeleteWebhookEndpointResponse:
        command = DeleteWebhookEndpoint(object_id(request.endpoint_id, "webhook endpoint"))
        return await self._handle(  # type: ignore[attr-defined]
            context, request, handlers.delete_endpoint, command)

    async def ListWebhookDeliveries(self, request, context) -> pb.ListWebhookDeliveriesResponse:
        limit = page_size(request.page_size)
        command = ListWebhookDeliveries(
            endpoint_id=object_id(request.endpoint_id, "webhook endpoint"),
            before=after_creation(request.page_token), limit=limit)
        return await self._handle_page(  # type: ignore[attr-defined]
            context, request, handlers.list_deliveries, command, limit,
            deliveries=webhook_proto.delivery)

    async def RedeliverWebhook(self, request, context) -> pb.RedeliverWebhookResponse:
        command = RedeliverWebhook(
            endpoint_id=object_id(request.endpoint_id, "webhook endpoint"),
            delivery_id=object_id(request.delivery_id, "webhook delivery"))
        wake = Waker(lambda: self._wake(WEBHOOKS_SWEEPER))  # type: ignore[attr-defined]
        handler = partial(handlers.redeliver, wake=wake)
        return await self._handle(context, request, handler, command,  # type: ignore[attr-defined]
                                  delivery=webhook_proto.delivery)


