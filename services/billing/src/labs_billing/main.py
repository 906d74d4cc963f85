"""Wiring of the billing service: its gRPC API on the shared service runtime, the channels to
identity, projects, time and capacity, the consumers of time's reservations, and each replica's
background work: giving up expired generations, raising overdue invoices, the Stripe side of
issued invoices, and applying Stripe's webhooks."""

from __future__ import annotations

from labs.billing.v1 import billing_service_pb2 as pb
from labs.billing.v1 import billing_service_pb2_grpc as pb_grpc
from labs_billing.adapters.directory import Directory
from labs_billing.adapters.stripe_gateway import StripeGateway
from labs_billing.config import Settings
from labs_billing.entrypoints.consumers import subscriptions
from labs_billing.entrypoints.grpc_servicer import BillingServicer
from labs_billing.service_layer import generation, overdue
from labs_billing.service_layer.stripe_inbox import StripeInbox
from labs_billing.service_layer.stripe_sync import StripeSync
from labs_billing.service_layer.unit_of_work import BillingUnitOfWork
from labs_common.background import Sweeper, start_staggered
from labs_common.grpc.server import ServiceRegistration
from labs_common.service import Runtime, ServiceDefinition


class Background:
    """Every sweeper of this replica; the runtime closes it (extras) when the service stops."""

    def __init__(self, runtime: Runtime) -> None:
        settings: Settings = runtime.settings  # type: ignore[assignment]
        uow = runtime.uow
        self.stripe = (StripeGateway(settings.stripe_api_key, settings.stripe_api_base or None)
                       if settings.stripe_api_key else None)
        every = settings.sweep_seconds
        self.sweepers = [
            Sweeper("billing.recovery", lambda: generation.recover_expired(uow), every),
            Sweeper("billing.overdue", lambda: overdue.raise_overdue(uow), every),
        ]
        self.inbox_sweeper: Sweeper | None = None
        self.stripe_sweeper: Sweeper | None = None
        self.inbox = StripeInbox(uow, settings.stripe_webhook_secret, self.stripe)
        self.inbox_sweeper = Sweeper("billing.stripe_inbox", self.inbox.apply_due,
                                     settings.stripe_sweep_seconds)
        self.inbox.wake = self.inbox_sweeper.wake
        self.sweepers.append(self.inbox_sweeper)
        if self.stripe is not None:
            sync = StripeSync(uow, self.stripe)

            async def push() -> int:
                return await sync.run_once() + await sync.subscriptions_once()

            self.stripe_sweeper = Sweeper("billing.stripe_sync", push,
                                          settings.stripe_sweep_seconds)
            self.sweepers.append(self.stripe_sweeper)

    def wake_stripe(self) -> None:
        if self.stripe_sweeper is not None:
            self.stripe_sweeper.wake()

    def start(self) -> None:
        start_staggered(self.sweepers)

    async def close(self) -> None:
        for sweeper in self.sweepers:
            await sweeper.close()
        if self.stripe is not None:
            await self.stripe.aclose()


def background(runtime: Runtime) -> Background:
    return runtime.shared("background", lambda: Background(runtime))


def registrations(runtime: Runtime) -> list[ServiceRegistration]:
    work = background(runtime)
    servicer = BillingServicer(runtime.uow, Directory(runtime.channel), work.inbox,
                               runtime.settings, wake_stripe=work.wake_stripe)  # type: ignore[arg-type]
    return [ServiceRegistration.of(pb, pb_grpc, servicer, public=("ReceiveStripeEvent",))]


async def on_start(runtime: Runtime) -> None:
    background(runtime).start()


DEFINITION = ServiceDefinition(
    settings_class=Settings,
    registrations=registrations,
    uow_class=BillingUnitOfWork,
    subscriptions=lambda _runtime: subscriptions(),
    on_start=on_start,
)
