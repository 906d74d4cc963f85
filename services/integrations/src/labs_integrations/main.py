"""Wiring of the integrations service: its gRPC API on the shared service runtime, the read model
of projects and members, and each replica's background work (webhook intake, outgoing
deliveries, the GitHub and Slack sides).

Each slice (connections, outgoing webhooks, GitHub, Slack) is built once per process in
`Parts` and hands the servicer its collaborators and the runtime its sweepers."""

from __future__ import annotations

from datetime import timedelta

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs.integrations.v1 import integrations_service_pb2_grpc as pb_grpc
from labs_common.background import Sweeper, start_staggered
from labs_common.grpc.server import ServiceRegistration
from labs_common.service import Runtime, ServiceDefinition
from labs_integrations.adapters.platforms import platform_sides
from labs_integrations.adapters.targets import TargetGuard
from labs_integrations.adapters.vault import Vault
from labs_integrations.adapters.webhook_sender import WebhookSender
from labs_integrations.config import Settings
from labs_integrations.domain.connections import Platform
from labs_integrations.entrypoints.consumers import subscriptions
from labs_integrations.entrypoints.github_wiring import add_github
from labs_integrations.entrypoints.grpc_servicer import IntegrationsServicer
from labs_integrations.entrypoints.harvest_wiring import add_harvest
from labs_integrations.entrypoints.import_wiring import add_imports
from labs_integrations.entrypoints.linear_wiring import add_linear
from labs_integrations.entrypoints.link_wiring import add_links
from labs_integrations.entrypoints.quickbooks_wiring import add_quickbooks
from labs_integrations.entrypoints.slack_wiring import add_slack
from labs_integrations.service_layer.harvest_sync import REFRESH_BEFORE as HARVEST_REFRESH_BEFORE
from labs_integrations.service_layer.oauth_tokens import OAuthTokens
from labs_integrations.service_layer.syncs import Revocations, SyncWorker
from labs_integrations.service_layer.unit_of_work import IntegrationsUnitOfWork
from labs_integrations.service_layer.webhook_delivery import (
    WEBHOOKS_SWEEPER,
    WebhookDeliveryWorker,
)

# The platforms whose sides refresh OAuth tokens that lapse (OAuthTokens keeps them fresh).
REFRESHED = (Platform.HARVEST, Platform.JIRA, Platform.ASANA, Platform.FIGMA, Platform.NOTION)
PUBLIC_RPCS = ("ReceiveGitHubWebhook", "ReceiveSlackCommand", "ReceiveLinearWebhook",
               "ReceiveFigmaWebhook")


class Parts:
    """What this replica is made of; the runtime closes it (extras) when the service stops."""

    def __init__(self, runtime: Runtime) -> None:
        settings: Settings = runtime.settings  # type: ignore[assignment]
        self.settings = settings
        self.vault = Vault.from_settings(settings.credentials_keys.get_secret_value(),
                                         settings.env)
        self.platforms = platform_sides(settings)
        # The OAuth tokens that lapse, renewed before use by every slice (QuickBooks' by its
        # own keeper, under a lease per company).
        self.tokens = OAuthTokens(
            runtime.uow, self.vault, {p: self.platforms[p] for p in REFRESHED},
            margins={Platform.HARVEST: HARVEST_REFRESH_BEFORE})
        self.sweepers: dict[str, Sweeper] = {}
        # Handed to the servicer as keyword arguments (self._<name> there).
        self.collaborators: dict[str, object] = {
            "settings": settings, "vault": self.vault, "platforms": self.platforms,
            "sweepers": self.sweepers}
        every = settings.sweep_seconds
        self.syncs = SyncWorker(runtime.uow, self.vault, self.platforms, {
            Platform.GITHUB: timedelta(seconds=settings.reconcile_seconds),
            Platform.HARVEST: timedelta(seconds=settings.harvest_sync_seconds),
            Platform.QUICKBOOKS: timedelta(seconds=settings.quickbooks_sync_seconds),
            Platform.LINEAR: timedelta(seconds=settings.linear_reconcile_seconds)},
            self.tokens)
        self._sweep("syncs", self.syncs.run_due, every)
        self._sweep("revocations", Revocations(runtime.uow, self.vault, self.platforms).run_due,
                    every)
        # Outgoing webhooks: the SSRF guard (creation and every attempt), the delivery worker.
        self.webhook_targets = TargetGuard(settings.webhooks_allow_private_targets)
        self.webhook_sender = WebhookSender(settings.webhook_timeout_seconds)
        self.collaborators["webhook_targets"] = self.webhook_targets
        self.webhook_worker = WebhookDeliveryWorker(
            runtime.uow, self.webhook_sender, self.vault, self.webhook_targets,
            retry_base_seconds=settings.webhook_retry_base_seconds)
        self._sweep(WEBHOOKS_SWEEPER, self.webhook_worker.run_once, every)
        self._sweep("webhooks_pruner", self.webhook_worker.forget_settled,
                    settings.prune_every_seconds)
        # Slack: slash commands, the message sender, the weekday reminder.
        add_slack(self, runtime)
        # GitHub: the webhook inbox and its apply worker, issue pushes, the reconciler.
        add_github(self, runtime)
        # Harvest: its syncer (people, projects, time entries).
        add_harvest(self, runtime)
        # QuickBooks: invoice pushes, the token keeper, its syncer (payments).
        add_quickbooks(self, runtime)
        # Jira and Asana: their imports into tasks, run by the sync worker.
        add_imports(self, runtime)
        # Linear: the webhook inbox and its apply worker, issue pushes, the reconciler.
        add_linear(self, runtime)
        # Links (Figma, Notion, GitHub): their refresher; Figma's webhook inbox and passcodes.
        add_links(self, runtime)

    def _sweep(self, name: str, work, every: float) -> Sweeper:
        sweeper = self.sweepers[name] = Sweeper(f"integrations.{name}", work, every)
        return sweeper

    def wake(self, name: str) -> None:
        """News for the sweeper `name` of this replica (consumers call it)."""
        if (found := self.sweepers.get(name)) is not None:
            found.wake()

    def start(self) -> None:
        start_staggered(list(self.sweepers.values()))

    async def close(self) -> None:
        for sweeper in self.sweepers.values():
            await sweeper.close()
        await self.webhook_sender.aclose()
        await self.slack_commands.aclose()


def parts(runtime: Runtime) -> Parts:
    return runtime.shared("parts", lambda: Parts(runtime))


def registrations(runtime: Runtime) -> list[ServiceRegistration]:
    servicer = IntegrationsServicer(runtime.uow, **parts(runtime).collaborators)
    return [ServiceRegistration.of(pb, pb_grpc, servicer, public=PUBLIC_RPCS)]


async def on_start(runtime: Runtime) -> None:
    parts(runtime).start()


def _waker(runtime: Runtime):
    """What consumers call with news for a sweeper: the replica's parts, looked up when news
    comes (so listing the subscriptions builds nothing)."""
    return lambda name: parts(runtime).wake(name)


DEFINITION = ServiceDefinition(
    settings_class=Settings,
    registrations=registrations,
    uow_class=IntegrationsUnitOfWork,
    subscriptions=lambda runtime: subscriptions(_waker(runtime), settings=runtime.settings),
    on_start=on_start,
)
