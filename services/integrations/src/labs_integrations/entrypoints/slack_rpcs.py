"""Slack's slash commands (ReceiveSlackCommand, public: the signature is the credential): the
work is service_layer/slack_commands.py; the answer is what Slack shows at once."""

from __future__ import annotations

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs_integrations.service_layer.slack_commands import SlackCommands


class SlackRpcs:
    """RPCs of IntegrationsServicer (a mixin: it relies on the servicer's `_slack_commands`)."""

    _slack_commands: SlackCommands

    async def ReceiveSlackCommand(self, request: pb.ReceiveSlackCommandRequest, context
                                  ) -> pb.ReceiveSlackCommandResponse:
        reply = await self._slack_commands.receive(request.body, request.timestamp,
                                                   request.signature)
        return pb.ReceiveSlackCommandResponse(response_type=reply.response_type, text=reply.text)
