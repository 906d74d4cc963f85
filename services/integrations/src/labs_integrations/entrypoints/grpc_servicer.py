"""labs.integrations.v1.IntegrationsService: map the request in, run one handler in one
transaction, map the result out. The RPCs live in mixins by area (connection_rpcs,
webhook_rpcs, import_rpcs, intake_rpcs)."""

from __future__ import annotations

from labs.integrations.v1 import integrations_service_pb2_grpc as pb_grpc
from labs_common.background import Sweeper
from labs_common.grpc.transactions import TransactionalRpcs
from labs_integrations.entrypoints.connection_rpcs import ConnectionRpcs
from labs_integrations.entrypoints.figma_rpcs import FigmaRpcs
from labs_integrations.entrypoints.github_rpcs import GitHubRpcs
from labs_integrations.entrypoints.import_rpcs import ImportRpcs
from labs_integrations.entrypoints.linear_rpcs import LinearRpcs
from labs_integrations.entrypoints.link_rpcs import LinkRpcs
from labs_integrations.entrypoints.slack_rpcs import SlackRpcs
from labs_integrations.entrypoints.webhook_rpcs import WebhookEndpointRpcs
from labs_integrations.service_layer.unit_of_work import UowFactory


class IntegrationsServicer(ConnectionRpcs, ImportRpcs, WebhookEndpointRpcs, SlackRpcs,
                           GitHubRpcs, LinearRpcs, LinkRpcs, FigmaRpcs, TransactionalRpcs,
                           pb_grpc.IntegrationsServiceServicer):
    """`collaborators` (main.Parts) become attributes `_<name>`: the settings, the vault, the
    platforms' sides, the sweepers a request may wake, and each slice's own."""

    _sweepers: dict[str, Sweeper]

    def __init__(self, uow: UowFactory, **collaborators: object) -> None:
        self._uow = uow
        for name, value in collaborators.items():
            setattr(self, f"_{name}", value)

    def _wake(self, sweeper: str) -> None:
        """News for a worker of this replica (the others find it on their next sweep)."""
        if (found := self._sweepers.get(sweeper)) is not None:
            found.wake()
