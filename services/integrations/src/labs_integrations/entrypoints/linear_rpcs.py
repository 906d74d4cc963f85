"""Linear's webhook RPC of IntegrationsService (a mixin of IntegrationsServicer): public, in a
system scope (the signature is the credential, the workspace names the tenants later)."""

from __future__ import annotations

from labs.integrations.v1 import integrations_service_pb2 as pb


class LinearRpcs:
    """Needs the servicer's `_linear_inbox` collaborator (service_layer/linear_inbox.py,
    entrypoints/linear_wiring.py), which verifies, stores and wakes the apply worker."""

    async def ReceiveLinearWebhook(self, request, context) -> pb.ReceiveLinearWebhookResponse:
        accepted = await self._linear_inbox.receive(  # type: ignore[attr-defined]
            request.payload, request.signature, request.delivery_id)
        return pb.ReceiveLinearWebhookResponse(accepted=accepted)
