"""Wiring of the time service: its gRPC API on the shared service runtime."""

from __future__ import annotations

from pathlib import Path

from labs.time.v1 import time_service_pb2, time_service_pb2_grpc
from labs_common.grpc.server import ServiceRegistration
from labs_common.service import Runtime, ServiceDefinition
from labs_time.config import Settings


def registrations(_runtime: Runtime) -> list[ServiceRegistration]:
    descriptor = time_service_pb2.DESCRIPTOR.services_by_name["TimeService"]
    return [
        ServiceRegistration(
            name=descriptor.full_name,
            servicer=time_service_pb2_grpc.TimeServiceServicer(),
            add_to_server=time_service_pb2_grpc.add_TimeServiceServicer_to_server,
        )
    ]


DEFINITION = ServiceDefinition(
    settings_class=Settings,
    migrations=Path(__file__).parent / "migrations",
    registrations=registrations,
)
