"""Wiring of the forecasting service: its gRPC API on the shared service runtime, the durable
subscriptions that feed its read model (entrypoints/consumers.py), the sweep that keeps one
margin per project per day, and the channel to capacity (available hours, for the utilization
report, asked as the caller)."""

from __future__ import annotations

from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs.forecasting.v1 import forecasting_service_pb2_grpc as pb_grpc
from labs_common.background import Sweeper
from labs_common.grpc.server import ServiceRegistration
from labs_common.mail import Mailer
from labs_common.service import Runtime, ServiceDefinition
from labs_forecasting.adapters.capacity_client import Capacity
from labs_forecasting.adapters.fit_process import FITS
from labs_forecasting.config import Settings
from labs_forecasting.entrypoints.alerts_rpcs import AlertRpcs
from labs_forecasting.entrypoints.consumers import mail_subscriptions, subscriptions
from labs_forecasting.entrypoints.grpc_servicer import ForecastingServicer
from labs_forecasting.service_layer.forecasts import Debouncer, refresh_stale
from labs_forecasting.service_layer.snapshots import snapshot_missing
from labs_forecasting.service_layer.unit_of_work import ForecastingUnitOfWork

FORECAST_SWEEP_SECONDS = 900.0


class Servicer(AlertRpcs, ForecastingServicer):
    """The forecasting API with its alert RPCs (entrypoints/alerts_rpcs.py)."""


def registrations(runtime: Runtime) -> list[ServiceRegistration]:
    servicer = Servicer(runtime.uow, Capacity(runtime.channel))
    return [ServiceRegistration.of(pb, pb_grpc, servicer)]


async def on_start(runtime: Runtime) -> None:
    settings: Settings = runtime.settings  # type: ignore[assignment]
    sweeper = Sweeper("forecasting.snapshots", lambda: snapshot_missing(runtime.uow),
                      settings.snapshot_sweep_seconds)
    runtime.extras["snapshots"] = sweeper  # the runtime closes it on stop
    sweeper.start()
    # Forecasts: refreshed 200 ms after each committed margin or allocation change (coalesced per
    # project), and every one older than a day by the sweep (heals a lost schedule).
    runtime.extras["fit_process"] = FITS  # statsmodels' worker, stopped with the service
    debouncer = Debouncer(runtime.uow)
    runtime.extras["forecast_debouncer"] = debouncer
    debouncer.start()
    stale = Sweeper("forecasting.forecasts", lambda: refresh_stale(runtime.uow),
                    FORECAST_SWEEP_SECONDS)
    runtime.extras["forecast_sweep"] = stale
    stale.start()


def mailer_of(runtime: Runtime) -> Mailer:
    settings: Settings = runtime.settings  # type: ignore[assignment]
    return Mailer(settings.smtp_url, settings.mail_from,
                  keep_unsent=settings.env == "production")


DEFINITION = ServiceDefinition(
    settings_class=Settings,
    registrations=registrations,
    uow_class=ForecastingUnitOfWork,
    subscriptions=lambda runtime: subscriptions() + mail_subscriptions(mailer_of(runtime)),
    on_start=on_start,
)
