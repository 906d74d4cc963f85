"""Wiring of the billing service: its gRPC API, declared in the protos, on the shared service
runtime; every RPC answers UNIMPLEMENTED until the service is built."""

from __future__ import annotations

from labs.billing.v1 import billing_service_pb2, billing_service_pb2_grpc
from labs_billing.config import Settings
from labs_common.service import boot_only

DEFINITION = boot_only(Settings, billing_service_pb2, billing_service_pb2_grpc)
