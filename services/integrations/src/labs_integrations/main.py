"""Wiring of the integrations service: its gRPC API, declared in the protos, on the shared service
runtime; every RPC answers UNIMPLEMENTED until the service is built."""

from __future__ import annotations

from labs.integrations.v1 import integrations_service_pb2, integrations_service_pb2_grpc
from labs_common.service import boot_only
from labs_integrations.config import Settings

DEFINITION = boot_only(Settings, integrations_service_pb2, integrations_service_pb2_grpc)
