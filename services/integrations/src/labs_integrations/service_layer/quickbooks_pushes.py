"""Labs → QuickBooks: issued invoices created in QuickBooks with their customers, voided ones
voided there.

`on_invoice_event` (a consumer of billing's invoice.issued and invoice.voided) queues a push in
the same transaction as its inbox claim, for an org with QuickBooks connected: one row per
invoice and kind, so an event heard twice queues nothing more. The worker (`run_once`) claims
due rows in a short transaction of its own, then, outside any, finds or creates the item, the
customer and the invoice in QuickBooks (adapters/quickbooks_documents.py: a retry after a lost
answer finds the invoice by its number instead of making another), and records the outcome:
what QuickBooks now holds for Labs (item, customer, invoice ids) and the push done. A failure
that may pass (429, 5xx, unreachable, a token refused) is retried with backoff (from a minute,
doubling, at most 6 hours apart) for 3 days; one that will not (a validation fault) fails at
once. A push given up keeps its error, writes a failed entry in the connection's sync log, and
goes again at the next manual sync (quickbooks_payments.py)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from labs.billing.v1 import events_pb2 as billing_events
from labs.events.v1 import envelope_pb2
from labs_common.db.uow import Scope
from labs_integrations.adapters import quickbooks_documents as documents
from labs_integrations.adapters.quickbooks_api import QuickBooksApi, QuickBooksFailed
from labs_integrations.adapters.quickbooks_labs import labs_invoice
from labs_integrations.adapters.vault import Vault
from labs_integrations.domain.connections import Connection, Platform, SyncLog, SyncStatus
from labs_integrations.domain.quickbooks import (
    INVOICE,
    PUSH_GIVE_UP,
    VOID,
    InvoicePush,
    LabsInvoice,
    client_key,
    push_retry_delay,
)
from labs_integrations.service_layer.connections import credentials
from labs_integrations.service_layer.quickbooks_tokens import QuickBooksTokens
from labs_integrations.service_layer.unit_of_work import IntegrationsUnitOfWork, UowFactory

log = structlog.get_logger(__name__)

QUICKBOOKS_PUSHES_SWEEPER = "quickbooks_pushes"
INVOICE_EVENTS = {"invoice.issued": INVOICE, "invoice.voided": VOID}
BATCH = 20
# Longer than a push takes (a few calls of at most 30 s each, waiting for the company's slots).
LEASE = timedelta(minutes=5)
# Pushes of different orgs at once; the API's gate keeps each company at its own limit.
CONCURRENCY = 10
# A void waits this long between looks while its invoice is still on its way to QuickBooks.
VOID_WAIT = timedelta(seconds=30)
PUSH_TRIGGER = "invoice_push"


async def on_invoice_event(envelope: envelope_pb2.Envelope, uow: IntegrationsUnitOfWork
                           ) -> bool:
    """True when a push was queued (the worker is to be woken)."""
    kind = INVOICE_EVENTS.get(envelope.type)
    if kind is None or await uow.connections.of_platform(Platform.QUICKBOOKS) is None:
        return False
    event = billing_events.InvoiceChanged()
    envelope.payload.Unpack(event)
    if not event.invoice.id or not event.invoice.number:
        return False  # only issued invoices have a number, and reach QuickBooks
    invoice = labs_invoice(event.invoice)
    return await uow.quickbooks_pushes.want(invoice.invoice_id, kind, invoice.to_json(),
                                            datetime.now(UTC) + PUSH_GIVE_UP)


@dataclass
class Found:
    """What a push has found or made in QuickBooks so far: kept even when it then fails."""

    item_id: str | None = None
    customer_id: str | None = None
    invoice_id: str | None = None


class QuickBooksPushWorker:
    def __init__(self, uow: UowFactory, vault: Vault, api: QuickBooksApi,
                 tokens: QuickBooksTokens, *, item_name: str = "Services",
                 retry_base: timedelta = timedelta(minutes=1),
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._uow = uow
        self._vault = vault
        self._api = api
        self._tokens = tokens
        self._item_name = item_name
        self._retry_base = retry_base
        self._clock = clock

    async def run_once(self) -> int:
        async with self._uow(Scope.of_system()) as uow:
            due = await uow.quickbooks_pushes.claim_due(BATCH, LEASE)
            await uow.commit()
        if not due:
            return 0
        limit = asyncio.Semaphore(CONCURRENCY)

        async def one(push: InvoicePush) -> None:
            async with limit:
                await self.push(push)

        await asyncio.gather(*(one(push) for push in due))
        return len(due)

    async def push(self, push: InvoicePush) -> None:
        labs = push.labs
        async with self._uow(Scope(org_id=push.org_id)) as uow:
            opened = await credentials(uow, self._vault, Platform.QUICKBOOKS)
            realm = opened.connection.external_account_id if opened else ""
            found = Found()
            if opened is not None:
                found.item_id = (await uow.quickbooks_companies.get(realm)).item_id
                found.customer_id = await uow.quickbooks_links.customer(realm, client_key(labs))
                found.invoice_id = await uow.quickbooks_links.invoice(realm, push.invoice_id)
            issue_pending = push.kind == VOID and await uow.quickbooks_pushes.issue_pending(
                push.invoice_id)
        if opened is None:
            await self._failed(push, None, "", found, QuickBooksFailed(
                "QuickBooks is no longer connected."))
            return
        source = self._tokens.source(opened)
        try:
            if push.kind == INVOICE:
                await self._create(source, labs, found)
            elif found.invoice_id is not None:
                await documents.void(self._api, source, found.invoice_id)
            elif issue_pending:
                await self._later(push, self._clock() + VOID_WAIT)
                return
            # else: a void of an invoice that never reached QuickBooks leaves nothing to void
        except QuickBooksFailed as error:
            await self._failed(push, opened.connection, realm, found, error)
            return
        async with self._uow(Scope(org_id=push.org_id)) as uow:
            await self._keep(uow, realm, labs, found)
            await uow.quickbooks_pushes.finished(push.id, found.invoice_id)
            await uow.commit()
        log.info("quickbooks.invoice_pushed", org_id=str(push.org_id), realm_id=realm,
                 kind=push.kind, number=labs.number, quickbooks_id=found.invoice_id)

    async def _create(self, source, labs: LabsInvoice, found: Found) -> None:
        if found.invoice_id is not None:
            return  # pushed before (the event heard again, a push after a lost commit)
        if found.item_id is None:
            found.item_id = await documents.service_item(self._api, source, self._item_name)
        if found.customer_id is None:
            found.customer_id = await documents.customer(self._api, source, labs)
        pushed = await documents.invoice(self._api, source, labs, found.customer_id,
                                         found.item_id)
        found.invoice_id = pushed.id

    @staticmethod
    async def _keep(uow: IntegrationsUnitOfWork, realm: str, labs: LabsInvoice, found: Found
                    ) -> None:
        if not realm:
            return
        if found.item_id:
            await uow.quickbooks_companies.keep_item(realm, found.item_id)
        if found.customer_id:
            await uow.quickbooks_links.keep_customer(realm, client_key(labs), found.customer_id)
        if found.invoice_id:
            await uow.quickbooks_links.keep_invoice(realm, labs.invoice_id, found.invoice_id,
                                                    labs.number)

    async def _later(self, push: InvoicePush, at: datetime) -> None:
        async with self._uow(Scope(org_id=push.org_id)) as uow:
            await uow.quickbooks_pushes.retry(push.id, None, at)
            await uow.commit()

    async def _failed(self, push: InvoicePush, connection: Connection | None, realm: str,
                      found: Found, error: QuickBooksFailed) -> None:
        now = self._clock()
        # A refused token may be a connection being made again: it is retried like an outage.
        retryable = error.transient or error.auth
        delay = push_retry_delay(push.attempts, self._retry_base)
        if error.retry_after:
            delay = max(delay, timedelta(seconds=error.retry_after))
        at = now + delay
        give_up = not retryable or at >= push.give_up_at
        labs = push.labs
        what = f"{'Voiding' if push.kind == VOID else 'Pushing'} invoice {labs.number}"
        message = f"{what} in QuickBooks failed: {error.message}"
        (log.error if give_up else log.warning)(
            "quickbooks.push_failed", org_id=str(push.org_id), realm_id=realm, kind=push.kind,
            number=labs.number, attempts=push.attempts, code=error.code, error=error.message,
            given_up=give_up)
        async with self._uow(Scope(org_id=push.org_id)) as uow:
            await self._keep(uow, realm, labs, found)
            if not give_up:
                await uow.quickbooks_pushes.retry(push.id, message, at)
            else:
                await uow.quickbooks_pushes.failed(push.id, message)
                if connection is not None:
                    await uow.sync_logs.add(SyncLog(
                        id=uuid.uuid4(), org_id=push.org_id, connection_id=connection.id,
                        trigger=PUSH_TRIGGER, status=SyncStatus.FAILED,
                        errors=[message + " It goes again with the next sync."],
                        started_at=now, finished_at=now))
            await uow.commit()
