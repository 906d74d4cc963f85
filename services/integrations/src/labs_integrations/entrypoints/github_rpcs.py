"""GitHub's webhook RPC of IntegrationsService (a mixin of IntegrationsServicer): public, in a
system scope (the signature is the credential, the repository names the tenants later)."""

from __future__ import annotations

from labs.integrations.v1 import integrations_service_pb2 as pb


class GitHubRpcs:
    """Needs the servicer's `_github_inbox` collaborator (service_layer/github_inbox.py, main.py
    Parts), which verifies, stores and wakes the apply worker of this replica."""

    async def ReceiveGitHubWebhook(self, request, context) -> pb.ReceiveGitHubWebhookResponse:
        accepted = await self._github_inbox.receive(  # type: ignore[attr-defined]
            request.payload, request.signature, request.delivery_id, request.event)
        return pb.ReceiveGitHubWebhookResponse(accepted=accepted)
