"""The QuickBooks slice of main.Parts: the token keeper (one refresh at a time per company), the
push worker of invoices (sweeper "quickbooks_pushes"), and the payments syncer on the sync
worker. The connection's side is in adapters/platforms.py, with the others. Tests reach them as
`parts.quickbooks_tokens`, `parts.quickbooks_pushes` and `parts.quickbooks_sync`."""

from __future__ import annotations

from datetime import timedelta

from labs.billing.v1.billing_service_pb2_grpc import BillingServiceStub
from labs_common.auth.delegation import DelegatedTokens
from labs_common.service import Runtime
from labs_integrations.adapters.quickbooks_labs import QuickBooksLabs
from labs_integrations.domain.connections import Platform
from labs_integrations.service_layer.quickbooks_payments import QuickBooksSync
from labs_integrations.service_layer.quickbooks_pushes import (
    QUICKBOOKS_PUSHES_SWEEPER,
    QuickBooksPushWorker,
)
from labs_integrations.service_layer.quickbooks_tokens import QuickBooksTokens


def add_quickbooks(parts, runtime: Runtime) -> None:
    settings = parts.settings
    side = parts.platforms[Platform.QUICKBOOKS]
    # One client for the whole replica: its per-company gate is what keeps a company at 10
    # requests in flight, whichever worker sends them.
    api = side.api
    tokens = QuickBooksTokens(runtime.uow, parts.vault, side.refresh)
    parts.quickbooks_tokens = tokens
    parts.quickbooks_pushes = QuickBooksPushWorker(
        runtime.uow, parts.vault, api, tokens, item_name=settings.quickbooks_item_name,
        retry_base=timedelta(seconds=settings.quickbooks_push_retry_base_seconds))
    parts._sweep(QUICKBOOKS_PUSHES_SWEEPER, parts.quickbooks_pushes.run_once,
                 settings.sweep_seconds)
    delegated = DelegatedTokens(runtime.channel, settings.delegation_secret,
                                actor="integrations")
    labs = QuickBooksLabs(delegated, BillingServiceStub(runtime.channel("billing")))
    parts.quickbooks_sync = QuickBooksSync(
        runtime.uow, api, tokens, labs, wake_pushes=lambda: parts.wake(QUICKBOOKS_PUSHES_SWEEPER))
    parts.syncs.add(Platform.QUICKBOOKS, parts.quickbooks_sync)
