"""The QuickBooks syncer of the sync worker: QuickBooks' payments of pushed invoices recorded in
Labs, for one org, as the member who connected QuickBooks; and the retry of pushes that failed.

Payments changed since the company's cursor are read by Change Data Capture; a cursor older
than CDC's 30 days (a company not synced for a month), or a change set at CDC's cap of 1,000,
is read in full by a query instead (`MetaData.LastUpdatedTime > cursor`, 1,000 a page). Each
line of a payment that pays an invoice is kept (waiting) with the new cursor in one short
transaction, so nothing read is lost if what follows fails; then every line not yet recorded
goes to billing's RecordPayment with its external id ("quickbooks:<realm>:<payment>:<invoice>"),
which billing records once, however often it is asked. A line on an invoice Labs did not push is
kept as unmatched (another QuickBooks invoice, or one whose push is still on its way) and
looked at again for 30 days; one billing refuses (more than is due, a void invoice) keeps
billing's message, shows in the sync's errors and is tried again at each sync. A payment
deleted or voided in QuickBooks is logged and left as it is in Labs: billing's payments are a
record, not a mirror, and taking one back is a person's decision. No transaction is open while
QuickBooks or billing is asked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import structlog

from labs_common.db.uow import Scope
from labs_common.errors import Conflict, InvalidArgument, LabsError, Unavailable
from labs_common.transient import is_transient
from labs_integrations.adapters.quickbooks_api import QuickBooksApi, QuickBooksFailed, TokenSource
from labs_integrations.adapters.quickbooks_labs import QuickBooksLabs
from labs_integrations.domain.connections import Credentials
from labs_integrations.domain.quickbooks import (
    CURSOR_OVERLAP,
    PUSH_GIVE_UP,
    QUERY_PAGE,
    RECORDED,
    REFUSED,
    UNMATCHED,
    PaymentsRead,
    payments_query,
    read_by_cdc,
    read_payments,
)
from labs_integrations.service_layer.quickbooks_tokens import QuickBooksTokens
from labs_integrations.service_layer.syncs import SyncOutcome
from labs_integrations.service_layer.unit_of_work import UowFactory

log = structlog.get_logger(__name__)

# CDC answers at most this many objects of an entity; a full set is read again by query.
CDC_CAP = 1000
RECORD_BATCH = 500
UNMATCHED_FOR = timedelta(days=30)


class QuickBooksSync:
    def __init__(self, uow: UowFactory, api: QuickBooksApi, tokens: QuickBooksTokens,
                 labs: QuickBooksLabs, *, wake_pushes: Callable[[], None] = lambda: None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._uow = uow
        self._api = api
        self._tokens = tokens
        self._labs = labs
        self._wake_pushes = wake_pushes
        self._clock = clock

    async def __call__(self, credentials: Credentials) -> SyncOutcome:
        """As the sync worker expects its failures: credentials QuickBooks refuses are an
        InvalidArgument (the connection is then in error), the rest a LabsError with
        QuickBooks' message (in the sync's log; the next sync tries again)."""
        try:
            return await self._sync(credentials)
        except QuickBooksFailed as error:
            if error.auth:
                raise InvalidArgument.on("access_token", error.message) from error
            if error.transient:
                raise Unavailable(f"QuickBooks: {error.message}") from error
            raise Conflict(f"QuickBooks: {error.message}", reason="QUICKBOOKS_REFUSED") from error

    async def _sync(self, credentials: Credentials) -> SyncOutcome:
        connection = credentials.connection
        realm = connection.external_account_id
        outcome = SyncOutcome()
        started = self._clock()
        await self._retry_pushes(credentials, outcome, started)
        async with self._uow(Scope(org_id=connection.org_id)) as uow:
            state = await uow.quickbooks_companies.get(realm)
        since = state.payments_since or connection.connected_at - CURSOR_OVERLAP
        read = await self.read(self._tokens.source(credentials), since, started)
        for payment_id in read.deleted:
            log.info("quickbooks.payment_deleted_left_in_labs", org_id=str(connection.org_id),
                     realm_id=realm, payment_id=payment_id)
        async with self._uow(Scope(org_id=connection.org_id)) as uow:
            await uow.quickbooks_payments.keep(realm, read.lines)
            await uow.quickbooks_companies.read_up_to(realm, started - CURSOR_OVERLAP)
            await uow.commit()
        outcome.records = await self._record(credentials, outcome)
        return outcome

    async def _retry_pushes(self, credentials: Credentials, outcome: SyncOutcome,
                            now: datetime) -> None:
        """The sync reports every push that failed (given up, or waiting after an error) and
        sends it again now."""
        async with self._uow(Scope(org_id=credentials.connection.org_id)) as uow:
            failing = await uow.quickbooks_pushes.failing()
            retried = await uow.quickbooks_pushes.retry_now(now + PUSH_GIVE_UP)
            await uow.commit()
        outcome.errors.extend(f"{push.last_error} Sent again now." for push in failing
                              if push.last_error)
        if retried:
            self._wake_pushes()

    async def read(self, source: TokenSource, since: datetime, now: datetime) -> PaymentsRead:
        if read_by_cdc(since, now):
            changed = await self._api.changed_payments(source, since)
            if len(changed) < CDC_CAP:
                return read_payments(changed)
        log.info("quickbooks.payments_full_resync", realm_id=source.realm_id,
                 since=since.isoformat())
        payments = []
        async for page in self._api.query_pages(source, payments_query(since), "Payment",
                                                page=QUERY_PAGE):
            payments.extend(page)
        return read_payments(payments)

    async def _record(self, credentials: Credentials, outcome: SyncOutcome) -> int:
        connection = credentials.connection
        org, realm = connection.org_id, connection.external_account_id
        async with self._uow(Scope(org_id=org)) as uow:
            lines = await uow.quickbooks_payments.open(realm, RECORD_BATCH,
                                                       self._clock() - UNMATCHED_FOR)
            invoices = await uow.quickbooks_links.labs_invoices(
                realm, (line.quickbooks_invoice_id for line in lines))
        recorded = 0
        for line in lines:
            invoice_id = invoices.get(line.quickbooks_invoice_id)
            status, error, payment_id = UNMATCHED, None, None
            if invoice_id is not None:
                try:
                    payment_id = await self._labs.record_payment(
                        org, connection.connected_by, invoice_id, line, line.external_id(realm))
                    status = RECORDED
                except LabsError as refused:
                    if is_transient(refused):
                        raise  # billing or identity down: the rest waits for the next sync
                    status, error = REFUSED, refused.detail
                    outcome.errors.append(f"QuickBooks payment {line.payment_id} of "
                                          f"{line.amount} was not recorded in Labs: {error}")
            async with self._uow(Scope(org_id=org)) as uow:
                await uow.quickbooks_payments.settle(realm, line, status, error, payment_id)
                await uow.commit()
            recorded += status == RECORDED
        return recorded
