"""Wiring of the forecasting service: its gRPC API, declared in the protos, on the shared service
runtime; every RPC answers UNIMPLEMENTED until the service is built."""

from __future__ import annotations

from labs.forecasting.v1 import forecasting_service_pb2, forecasting_service_pb2_grpc
from labs_common.service import boot_only
from labs_forecasting.config import Settings

DEFINITION = boot_only(Settings, forecasting_service_pb2, forecasting_service_pb2_grpc)
