"""Wiring of the integrations service: its gRPC API on the shared service runtime."""

from __future__ import annotations

from pathlib import Path

from labs.integrations.v1 import integrations_service_pb2, integrations_service_pb2_grpc
from labs_common.grpc.server import ServiceRegistration
from labs_common.service import Runtime, ServiceDefinition
from labs_integrations.config import Settings


def registrations(_runtime: Runtime) -> list[ServiceRegistration]:
    descriptor = integrations_service_pb2.DESCRIPTOR.services_by_name["IntegrationsService"]
    return [
        ServiceRegistration(
            name=descriptor.full_name,
            servicer=integrations_service_pb2_grpc.IntegrationsServiceServicer(),
            add_to_server=integrations_service_pb2_grpc.add_IntegrationsServiceServicer_to_server,
        )
    ]


DEFINITION = ServiceDefinition(
    settings_class=Settings,
    migrations=Path(__file__).parent / "migrations",
    registrations=registrations,
)
