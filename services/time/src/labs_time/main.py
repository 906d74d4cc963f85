"""Wiring of the time service: its gRPC API on the shared service runtime, with the clients it
needs to ask projects, identity and capacity."""

from __future__ import annotations

from pathlib import Path

from labs.time.v1 import time_service_pb2, time_service_pb2_grpc
from labs_common.grpc.server import ServiceRegistration
from labs_common.service import Runtime, ServiceDefinition
from labs_time.adapters.directory import Directory
from labs_time.config import Settings
from labs_time.entrypoints.grpc_servicer import TimeServicer
from labs_time.service_layer.unit_of_work import TimeUnitOfWork


def directory(runtime: Runtime) -> Directory:
    if "directory" not in runtime.extras:
        runtime.extras["directory"] = Directory(runtime.settings)
    return runtime.extras["directory"]  # type: ignore[return-value]


def registrations(runtime: Runtime) -> list[ServiceRegistration]:
    servicer = TimeServicer(runtime.uow, directory(runtime))
    return [ServiceRegistration.of(time_service_pb2, time_service_pb2_grpc, servicer)]


DEFINITION = ServiceDefinition(
    settings_class=Settings,
    migrations=Path(__file__).parent / "migrations",
    registrations=registrations,
    uow_class=TimeUnitOfWork,
)
