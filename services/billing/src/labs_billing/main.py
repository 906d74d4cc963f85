"""Wiring of the billing service: its gRPC API on the shared service runtime."""

from __future__ import annotations

from pathlib import Path

from labs.billing.v1 import billing_service_pb2, billing_service_pb2_grpc
from labs_billing.config import Settings
from labs_common.grpc.server import ServiceRegistration
from labs_common.service import Runtime, ServiceDefinition


def registrations(_runtime: Runtime) -> list[ServiceRegistration]:
    servicer = billing_service_pb2_grpc.BillingServiceServicer()
    return [ServiceRegistration.of(billing_service_pb2, billing_service_pb2_grpc, servicer)]


DEFINITION = ServiceDefinition(
    settings_class=Settings,
    migrations=Path(__file__).parent / "migrations",
    registrations=registrations,
)
