"""Wiring of the integrations service: its gRPC API on the shared service runtime."""

from __future__ import annotations

from pathlib import Path

from labs.integrations.v1 import integrations_service_pb2, integrations_service_pb2_grpc
from labs_common.grpc.server import ServiceRegistration
from labs_common.service import Runtime, ServiceDefinition
from labs_integrations.config import Settings


def registrations(_runtime: Runtime) -> list[ServiceRegistration]:
    servicer = integrations_service_pb2_grpc.IntegrationsServiceServicer()
    return [
        ServiceRegistration.of(integrations_service_pb2, integrations_service_pb2_grpc, servicer)
    ]


DEFINITION = ServiceDefinition(
    settings_class=Settings,
    migrations=Path(__file__).parent / "migrations",
    registrations=registrations,
)
