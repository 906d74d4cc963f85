"""Wiring of the projects service: its gRPC API on the shared service runtime."""

from __future__ import annotations

from pathlib import Path

from labs.projects.v1 import projects_service_pb2, projects_service_pb2_grpc
from labs_common.grpc.server import ServiceRegistration
from labs_common.service import Runtime, ServiceDefinition
from labs_projects.config import Settings


def registrations(_runtime: Runtime) -> list[ServiceRegistration]:
    descriptor = projects_service_pb2.DESCRIPTOR.services_by_name["ProjectsService"]
    return [
        ServiceRegistration(
            name=descriptor.full_name,
            servicer=projects_service_pb2_grpc.ProjectsServiceServicer(),
            add_to_server=projects_service_pb2_grpc.add_ProjectsServiceServicer_to_server,
        )
    ]


DEFINITION = ServiceDefinition(
    settings_class=Settings,
    migrations=Path(__file__).parent / "migrations",
    registrations=registrations,
)
