"""Figma's webhook RPC of IntegrationsService (a mixin of IntegrationsServicer): public, in a
system scope until the passcode names the org."""

from __future__ import annotations

from labs.integrations.v1 import integrations_service_pb2 as pb


class FigmaRpcs:
    """Needs the servicer's `_figma_inbox` collaborator (service_layer/figma_inbox.py, wired in
    entrypoints/link_wiring.py), which verifies, stores and wakes the apply worker."""

    async def ReceiveFigmaWebhook(self, request, context) -> pb.ReceiveFigmaWebhookResponse:
        accepted = await self._figma_inbox.receive(request.payload)  # type: ignore[attr-defined]
        return pb.ReceiveFigmaWebhookResponse(accepted=accepted)
