"""Wiring of the forecasting service: its gRPC API on the shared service runtime."""

from __future__ import annotations

from pathlib import Path

from labs.forecasting.v1 import forecasting_service_pb2, forecasting_service_pb2_grpc
from labs_common.grpc.server import ServiceRegistration
from labs_common.service import Runtime, ServiceDefinition
from labs_forecasting.config import Settings


def registrations(_runtime: Runtime) -> list[ServiceRegistration]:
    servicer = forecasting_service_pb2_grpc.ForecastingServiceServicer()
    return [ServiceRegistration.of(forecasting_service_pb2, forecasting_service_pb2_grpc, servicer)]


DEFINITION = ServiceDefinition(
    settings_class=Settings,
    migrations=Path(__file__).parent / "migrations",
    registrations=registrations,
)
