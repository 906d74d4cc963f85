"""Wiring of the time service: its gRPC API on the shared service runtime, the clients it needs to
ask projects, identity and capacity (behind the read models, service_layer/known.py), the import
worker, and its subscriptions: the read models' events and billing's invoice events (the billing
saga's last steps, entrypoints/consumers.py)."""

from __future__ import annotations

from labs.time.v1 import time_service_pb2, time_service_pb2_grpc
from labs_common.grpc.server import ServiceRegistration
from labs_common.service import Runtime, ServiceDefinition
from labs_time.adapters.directory import Directory
from labs_time.config import Settings
from labs_time.entrypoints.consumers import subscriptions
from labs_time.entrypoints.grpc_servicer import TimeServicer
from labs_time.entrypoints.import_worker import ImportWorker
from labs_time.service_layer.known import KnownDirectory
from labs_time.service_layer.unit_of_work import TimeUnitOfWork


def directory(runtime: Runtime) -> Directory:
    return runtime.shared("directory", lambda: Directory(runtime.channel))


def import_worker(runtime: Runtime) -> ImportWorker:
    return runtime.shared("import_worker", lambda: ImportWorker(
        runtime.uow, directory(runtime), runtime.settings))  # type: ignore[arg-type]


def registrations(runtime: Runtime) -> list[ServiceRegistration]:
    # The write path reads the read models first and asks only what they cannot answer.
    known = KnownDirectory(runtime.uow, directory(runtime),  # type: ignore[arg-type]
                           settle_seconds=runtime.settings.read_model_settle_seconds)
    servicer = TimeServicer(runtime.uow, known, import_worker(runtime))  # type: ignore[arg-type]
    return [ServiceRegistration.of(time_service_pb2, time_service_pb2_grpc, servicer)]


async def on_start(runtime: Runtime) -> None:
    """Jobs queued before a restart, or whose worker died, are picked up by the first sweep."""
    import_worker(runtime).start()


DEFINITION = ServiceDefinition(
    settings_class=Settings,
    registrations=registrations,
    uow_class=TimeUnitOfWork,
    on_start=on_start,
    subscriptions=lambda _runtime: subscriptions(),
)
