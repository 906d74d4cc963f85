"""Wiring of the forecasting service: its gRPC API on the shared service runtime, the durable
subscriptions that feed its read model (entrypoints/consumers.py), the sweep that keeps one
margin per project per day, and the channel to capacity (available hours, for the utilization
report, asked as the caller)."""

from __future__ import annotations

from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs.forecasting.v1 import forecasting_service_pb2_grpc as pb_grpc
from labs_common.background import Sweeper
from labs_common.grpc.server import ServiceRegistration
from labs_common.service import Runtime, ServiceDefinition
from labs_forecasting.adapters.capacity_client import Capacity
from labs_forecasting.config import Settings
from labs_forecasting.entrypoints.consumers import subscriptions
from labs_forecasting.entrypoints.grpc_servicer import ForecastingServicer
from labs_forecasting.service_layer.snapshots import snapshot_missing
from labs_forecasting.service_layer.unit_of_work import ForecastingUnitOfWork


def registrations(runtime: Runtime) -> list[ServiceRegistration]:
    servicer = ForecastingServicer(runtime.uow, Capacity(runtime.channel))
    return [ServiceRegistration.of(pb, pb_grpc, servicer)]


async def on_start(runtime: Runtime) -> None:
    settings: Settings = runtime.settings  # type: ignore[assignment]
    sweeper = Sweeper("forecasting.snapshots", lambda: snapshot_missing(runtime.uow),
                      settings.snapshot_sweep_seconds)
    runtime.extras["snapshots"] = sweeper  # the runtime closes it on stop
    sweeper.start()


DEFINITION = ServiceDefinition(
    settings_class=Settings,
    registrations=registrations,
    uow_class=ForecastingUnitOfWork,
    subscriptions=lambda _runtime: subscriptions(),
    on_start=on_start,
)
