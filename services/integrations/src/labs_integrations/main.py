"""Wiring of the integrations service: its gRPC API on the shared service runtime, the read model
of projects and members, and each replica's background work (webhook intake, outgoing
deliveries, the GitHub and Slack sides)."""

from __future__ import annotations

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs.integrations.v1 import integrations_service_pb2_grpc as pb_grpc
from labs_common.grpc.server import ServiceRegistration
from labs_common.service import Runtime, ServiceDefinition
from labs_integrations.config import Settings
from labs_integrations.entrypoints.consumers import subscriptions
from labs_integrations.entrypoints.grpc_servicer import IntegrationsServicer
from labs_integrations.service_layer.unit_of_work import IntegrationsUnitOfWork

PUBLIC_RPCS = ("ReceiveGitHubWebhook", "ReceiveSlackCommand")


def registrations(runtime: Runtime) -> list[ServiceRegistration]:
    servicer = IntegrationsServicer(runtime.uow, settings=runtime.settings)
    return [ServiceRegistration.of(pb, pb_grpc, servicer, public=PUBLIC_RPCS)]


DEFINITION = ServiceDefinition(
    settings_class=Settings,
    registrations=registrations,
    uow_class=IntegrationsUnitOfWork,
    subscriptions=lambda _runtime: subscriptions(),
)
