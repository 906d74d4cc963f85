"""Wiring of the capacity service: its gRPC API on the shared service runtime."""

from __future__ import annotations

from pathlib import Path

from labs.capacity.v1 import capacity_service_pb2, capacity_service_pb2_grpc
from labs_capacity.config import Settings
from labs_common.grpc.server import ServiceRegistration
from labs_common.service import Runtime, ServiceDefinition


def registrations(_runtime: Runtime) -> list[ServiceRegistration]:
    descriptor = capacity_service_pb2.DESCRIPTOR.services_by_name["CapacityService"]
    return [
        ServiceRegistration(
            name=descriptor.full_name,
            servicer=capacity_service_pb2_grpc.CapacityServiceServicer(),
            add_to_server=capacity_service_pb2_grpc.add_CapacityServiceServicer_to_server,
        )
    ]


DEFINITION = ServiceDefinition(
    settings_class=Settings,
    migrations=Path(__file__).parent / "migrations",
    registrations=registrations,
)
