"""QuickBooks' workers on an in-memory store in place of PostgreSQL, against the fake QuickBooks:
an expired token refreshed before use, once for any number of concurrent callers of two
replicas (the lease), the others using what the refresher stored; a token QuickBooks refuses
refreshed once; the push worker retrying a lost answer without a second invoice, failing a
validation fault at once into the sync log, and a void waiting for its invoice; the syncer
reading by CDC within 30 days and by a full query beyond, and recording a payment's line
once, as the member who connected QuickBooks."""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from labs_common.errors import InvalidArgument
from labs_common.testing.fake_quickbooks import FakeQuickBooks
from labs_integrations.adapters.platforms import QuickBooksSide
from labs_integrations.adapters.quickbooks_api import StaticToken
from labs_integrations.adapters.vault import Vault
from labs_integrations.config import Settings
from labs_integrations.domain import quickbooks as qb
from labs_integrations.domain.connections import (
    Connection,
    ConnectionStatus,
    Credentials,
    Platform,
)
from labs_integrations.service_layer import connections
from labs_integrations.service_layer.quickbooks_payments import QuickBooksSync
from labs_integrations.service_layer.quickbooks_pushes import QuickBooksPushWorker
from labs_integrations.service_layer.quickbooks_tokens import QuickBooksTokens

APP = ("qb-workers-client", "qb-workers-secret")
VAULT = Vault({"k1": os.urandom(32)})


@pytest.fixture(scope="module")
def quickbooks():
    with FakeQuickBooks() as fake:
        fake.add_oauth_app(*APP)
        yield fake


def settings_for(fake: FakeQuickBooks) -> Settings:
    return Settings(quickbooks_api_url=fake.url, quickbooks_oauth_url=fake.url,
                    quickbooks_client_id=APP[0], quickbooks_client_secret=APP[1])


class Store:
    """What the workers keep in PostgreSQL, for one org, shared by every "replica"."""

    def __init__(self, connection: Connection, secret: dict) -> None:
        self.connection = connection
        self.sealed = connections.seal(VAULT, connection, secret)
        self.lease: tuple[uuid.UUID, datetime] | None = None
        self.companies: dict[str, qb.CompanyState] = {}
        self.customers: dict[tuple[str, str], str] = {}
        self.invoices: dict[tuple[str, uuid.UUID], str] = {}
        self.pushes: dict[uuid.UUID, dict] = {}
        self.payments: dict[str, dict] = {}
        self.sync_logs: list = []
        self.stores = 0  # credentials written

    @property
    def secret(self) -> dict:
        return connections.open_secret(VAULT, self.connection, self.sealed)


class Uow:
    def __init__(self, store: Store) -> None:
        self.store = store

    def __call__(self, scope):
        return self

    async def __aenter__(self):
        store = self.store

        async def of_platform(platform, *, lock=False):
            return (store.connection, store.sealed) if platform is Platform.QUICKBOOKS else None

        async def replace_credentials(connection, sealed, key_id):
            store.sealed, store.stores = sealed, store.stores + 1

        async def claim_refresh(realm, holder, until, now):
            if store.lease is not None and store.lease[1] >= now:
                return False
            store.lease = (holder, until)
            return True

        async def release_refresh(realm, holder):
            if store.lease and store.lease[0] == holder:
                store.lease = None

        async def company(realm):
            return store.companies.get(realm, qb.CompanyState(realm))

        async def keep_item(realm, item_id):
            store.companies[realm] = qb.CompanyState(
                realm, item_id, (await company(realm)).payments_since)

        async def read_up_to(realm, since):
            store.companies[realm] = qb.CompanyState(realm, (await company(realm)).item_id,
                                                     since)

        async def customer(realm, key):
            return store.customers.get((realm, key))

        async def keep_customer(realm, key, customer_id):
            store.customers[(realm, key)] = customer_id

        async def invoice(realm, invoice_id):
            return store.invoices.get((realm, invoice_id))

        async def keep_invoice(realm, invoice_id, quickbooks_id, number):
            store.invoices.setdefault((realm, invoice_id), quickbooks_id)

        async def labs_invoices(realm, ids):
            wanted = set(ids)
            return {q: i for (r, i), q in store.invoices.items() if r == realm and q in wanted}

        def push_update(push_id, **values):
            store.pushes[push_id].update(values)

        async def finished(push_id, quickbooks_id=None):
            push_update(push_id, status=qb.DONE, quickbooks_id=quickbooks_id, last_error=None)

        async def retry(push_id, error, at):
            push_update(push_id, last_error=error or None, next_attempt_at=at)

        async def failed(push_id, error):
            push_update(push_id, status=qb.FAILED, last_error=error)

        async def issue_pending(invoice_id):
            return any(p["invoice_id"] == invoice_id and p["kind"] == qb.INVOICE
                       and p["status"] == qb.PENDING for p in store.pushes.values())

        async def failing(limit=20):
            return [qb.InvoicePush(**{k: v for k, v in p.items() if k != "next_attempt_at"})
                    for p in store.pushes.values()
                    if p["status"] == qb.FAILED or (p["status"] == qb.PENDING
                                                    and p["last_error"])]

        async def retry_now(give_up_at):
            again = [p for p in store.pushes.values() if p["status"] == qb.FAILED
                     or (p["status"] == qb.PENDING and p["last_error"])]
            for p in again:
                p.update(status=qb.PENDING, attempts=0, give_up_at=give_up_at)
            return len(again)

        async def keep_lines(realm, lines):
            new = [line for line in lines if line.external_id(realm) not in store.payments]
            for line in new:
                store.payments[line.external_id(realm)] = {"line": line,
                                                           "status": qb.WAITING}
            return len(new)

        async def open_lines(realm, limit, unmatched_since):
            return [p["line"] for p in store.payments.values() if p["status"] != qb.RECORDED]

        async def settle(realm, line, status, error=None, labs_payment_id=None):
            store.payments[line.external_id(realm)].update(status=status, error=error)

        async def add_log(log):
            store.sync_logs.append(log)

        self.connections = SimpleNamespace(of_platform=of_platform,
                                           replace_credentials=replace_credentials)
        self.quickbooks_companies = SimpleNamespace(
            claim_refresh=claim_refresh, release_refresh=release_refresh, get=company,
            keep_item=keep_item, read_up_to=read_up_to)
        self.quickbooks_links = SimpleNamespace(
            customer=customer, keep_customer=keep_customer, invoice=invoice,
            keep_invoice=keep_invoice, labs_invoices=labs_invoices)
        self.quickbooks_pushes = SimpleNamespace(
            finished=finished, retry=retry, failed=failed, issue_pending=issue_pending,
            failing=failing, retry_now=retry_now)
        self.quickbooks_payments = SimpleNamespace(keep=keep_lines, open=open_lines,
                                                   settle=settle)
        self.sync_logs = SimpleNamespace(add=add_log)
        return self

    async def __aexit__(self, *exc):
        return False

    async def commit(self):
        pass


async def connected(fake: FakeQuickBooks) -> tuple[Store, QuickBooksSide]:
    realm = str(uuid.uuid4().int % 10**12)
    fake.add_company(realm, "Acme Books")
    side = QuickBooksSide(settings_for(fake))
    secret = {**await side.exchange(fake.authorize(realm), "https://labs.example/back"),
              "kind": "oauth", "account_id": realm}
    connection = Connection(
        id=uuid.uuid4(), org_id=uuid.uuid4(), platform=Platform.QUICKBOOKS,
        status=ConnectionStatus.CONNECTED, account_name="Acme Books", external_account_id=realm,
        settings={}, connected_by=uuid.uuid4(), connected_at=datetime.now(UTC))
    return Store(connection, secret), side


def credentials_of(store: Store) -> Credentials:
    return Credentials(store.connection, store.secret)


async def test_an_expired_token_is_refreshed_once_for_every_concurrent_caller(quickbooks):
    store, side = await connected(quickbooks)
    realm = store.connection.external_account_id
    replicas = [QuickBooksTokens(Uow(store), VAULT, side.refresh) for _ in range(2)]
    quickbooks.expire_access_tokens()
    store.sealed = connections.seal(VAULT, store.connection, {**store.secret, "expires_at": 0})
    refreshes = quickbooks.refreshes
    quickbooks.latency = 0.02
    try:
        sources = [replicas[n % 2].source(credentials_of(store)) for n in range(24)]
        infos = await asyncio.gather(*(side.api.company_info(s) for s in sources))
    finally:
        quickbooks.latency = 0.0
    assert quickbooks.refreshes == refreshes + 1 and store.stores == 1
    assert {info["CompanyName"] for info in infos} == {"Acme Books"}
    assert {await s.token() for s in sources} == {store.secret["access_token"]}
    assert store.lease is None
    assert quickbooks.max_in_flight[realm] <= 10


async def test_a_token_quickbooks_refuses_before_its_expiry_is_refreshed_once(quickbooks):
    store, side = await connected(quickbooks)
    tokens = QuickBooksTokens(Uow(store), VAULT, side.refresh)
    source = tokens.source(credentials_of(store))
    before = store.secret["access_token"]
    quickbooks.expire_access_tokens()  # Intuit ended it; our clock still says 59 minutes
    refreshes = quickbooks.refreshes
    await side.api.company_info(source)
    assert quickbooks.refreshes == refreshes + 1
    assert store.secret["access_token"] != before


async def test_a_refresh_intuit_refuses_says_connect_again_and_frees_the_lease(quickbooks):
    store, side = await connected(quickbooks)
    quickbooks.refresh_tokens.pop(store.secret["refresh_token"])
    store.sealed = connections.seal(VAULT, store.connection, {**store.secret, "expires_at": 0})
    tokens = QuickBooksTokens(Uow(store), VAULT, side.refresh)
    with pytest.raises(Exception) as refused:
        await tokens.fresh(store.connection.org_id)
    assert getattr(refused.value, "auth", False) and "connect QuickBooks again" in str(
        refused.value)
    assert store.lease is None


async def test_another_workers_lease_is_waited_for_and_its_token_used(quickbooks):
    store, side = await connected(quickbooks)
    now = datetime.now(UTC)
    store.lease = (uuid.uuid4(), now + timedelta(seconds=30))
    stale = {**store.secret, "expires_at": 0}
    store.sealed = connections.seal(VAULT, store.connection, stale)
    slept = []

    async def sleep(seconds):  # the other worker stores its new token meanwhile
        slept.append(seconds)
        store.sealed = connections.seal(VAULT, store.connection, {
            **stale, "access_token": "theirs", "expires_at": now.timestamp() + 3600})

    tokens = QuickBooksTokens(Uow(store), VAULT, side.refresh, sleep=sleep)
    refreshes = quickbooks.refreshes
    assert (await tokens.fresh(store.connection.org_id))["access_token"] == "theirs"
    assert quickbooks.refreshes == refreshes and len(slept) == 1


def a_push(store: Store, labs: qb.LabsInvoice, kind: str = qb.INVOICE) -> qb.InvoicePush:
    push = qb.InvoicePush(id=uuid.uuid4(), org_id=store.connection.org_id,
                          invoice_id=labs.invoice_id, kind=kind, invoice=labs.to_json(),
                          attempts=1, give_up_at=datetime.now(UTC) + timedelta(days=3))
    store.pushes[push.id] = {**vars(push), "next_attempt_at": None}
    return push


def labs_invoice(number: str = "INV-0001", **extra) -> qb.LabsInvoice:
    return qb.LabsInvoice(
        invoice_id=uuid.uuid4(), number=number, client_id=uuid.uuid4(), client_name="Acme",
        currency="USD", issue_date=date.today(), due_date=date.today() + timedelta(days=30),
        items=(qb.LabsItem("Design", Decimal("2"), Decimal("150"), Decimal("300.00")),),
        total=Decimal("300.00"), **extra)


def worker(store: Store, side: QuickBooksSide) -> QuickBooksPushWorker:
    tokens = QuickBooksTokens(Uow(store), VAULT, side.refresh)
    return QuickBooksPushWorker(Uow(store), VAULT, side.api, tokens,
                                retry_base=timedelta(seconds=1))


async def test_a_push_whose_answer_was_lost_is_retried_into_one_invoice(quickbooks):
    store, side = await connected(quickbooks)
    realm = store.connection.external_account_id
    pushes = worker(store, side)
    labs = labs_invoice()
    push = a_push(store, labs)
    quickbooks.drop_answers("invoice")
    await pushes.push(push)
    row = store.pushes[push.id]
    assert row["status"] == qb.PENDING and "502" in row["last_error"]
    assert row["next_attempt_at"] > datetime.now(UTC)
    # What it had found stays found: the retry does not look for the customer again.
    assert store.customers and store.companies[realm].item_id
    await pushes.push(qb.InvoicePush(**{**vars(push), "attempts": 2}))
    [made] = quickbooks.invoices(realm, "INV-0001")
    assert store.pushes[push.id]["status"] == qb.DONE
    assert store.pushes[push.id]["quickbooks_id"] == made["Id"]
    assert store.invoices[(realm, labs.invoice_id)] == made["Id"]
    assert not store.sync_logs


async def test_a_validation_fault_fails_at_once_into_the_sync_log(quickbooks):
    store, side = await connected(quickbooks)
    push = a_push(store, labs_invoice("STUDIO-2026-INVOICE-00001"))  # 25 characters
    await worker(store, side).push(push)
    row = store.pushes[push.id]
    assert row["status"] == qb.FAILED and "shorter or longer" in row["last_error"]
    [entry] = store.sync_logs
    assert entry.trigger == "invoice_push" and entry.status.value == "failed"
    assert "STUDIO-2026-INVOICE-00001" in entry.errors[0]
    assert not quickbooks.invoices(store.connection.external_account_id)


async def test_a_void_waits_for_its_invoice_then_voids_it(quickbooks):
    store, side = await connected(quickbooks)
    realm = store.connection.external_account_id
    pushes = worker(store, side)
    labs = labs_invoice("INV-0003")
    issue, void = a_push(store, labs), a_push(store, labs, qb.VOID)
    await pushes.push(void)
    assert store.pushes[void.id]["status"] == qb.PENDING
    assert store.pushes[void.id]["last_error"] is None  # a wait, not a failure
    await pushes.push(issue)
    await pushes.push(void)
    [voided] = quickbooks.invoices(realm, "INV-0003")
    assert voided["PrivateNote"] == "Voided" and store.pushes[void.id]["status"] == qb.DONE


class Billing:
    """RecordPayment as billing answers it: one payment per external id."""

    def __init__(self) -> None:
        self.recorded: dict[str, tuple] = {}
        self.calls: list[tuple] = []

    async def record_payment(self, org_id, user_id, invoice_id, line, external_id):
        self.calls.append((user_id, invoice_id, line.amount, external_id))
        if line.amount > Decimal("1000"):
            raise InvalidArgument.on("amount", "must not exceed the amount due, 300.00")
        return self.recorded.setdefault(external_id, (uuid.uuid4(), invoice_id))[0]


async def test_payments_by_cdc_recorded_once_and_old_cursors_read_by_query(quickbooks):
    store, side = await connected(quickbooks)
    realm = store.connection.external_account_id
    pushes, billing = worker(store, side), Billing()
    labs = labs_invoice("INV-0011")
    await pushes.push(a_push(store, labs))
    tokens = QuickBooksTokens(Uow(store), VAULT, side.refresh)
    sync = QuickBooksSync(Uow(store), side.api, tokens, billing)
    [pushed] = quickbooks.invoices(realm, "INV-0011")
    payment = quickbooks.add_payment(realm, pushed["Id"])
    # A payment line on a QuickBooks invoice Labs never pushed.
    foreign = quickbooks.add_payment(realm, pushed["Id"], "1")
    quickbooks.companies[realm].rows["Payment"][foreign["Id"]]["Line"][0]["LinkedTxn"][0][
        "TxnId"] = "999999"

    first = await sync(credentials_of(store))
    assert (first.records, first.errors) == (1, [])
    [(user, invoice_id, amount, external)] = billing.calls
    assert (user, invoice_id, amount) == (store.connection.connected_by, labs.invoice_id,
                                          Decimal("300.0"))
    assert external == f"quickbooks:{realm}:{payment['Id']}:{pushed['Id']}"
    cdc = quickbooks.calls("GET", f"/v3/company/{realm}/cdc")
    assert len(cdc) == 1 and cdc[0].params["entities"] == "Payment"

    again = await sync(credentials_of(store))
    assert again.records == 0 and len(billing.calls) == 1  # nothing more recorded
    unmatched = [p for p in store.payments.values() if p["status"] == qb.UNMATCHED]
    assert [p["line"].quickbooks_invoice_id for p in unmatched] == ["999999"]

    # A company not synced for 40 days: CDC cannot reach back, a query reads it all.
    store.companies[realm] = qb.CompanyState(realm, store.companies[realm].item_id,
                                             datetime.now(UTC) - timedelta(days=40))
    quickbooks.age(realm, "Payment", payment["Id"], days=35)
    read = await sync.read(StaticToken(realm, store.secret["access_token"]),
                           datetime.now(UTC) - timedelta(days=40), datetime.now(UTC))
    assert payment["Id"] in {line.payment_id for line in read.lines}
    assert len(quickbooks.calls("GET", f"/v3/company/{realm}/cdc")) == 2
    assert any("from Payment where MetaData.LastUpdatedTime >" in q
               for q in quickbooks.queries(realm))
    full = await sync(credentials_of(store))
    assert full.records == 0 and len(billing.calls) == 1
    assert len(quickbooks.calls("GET", f"/v3/company/{realm}/cdc")) == 2  # no CDC that time


async def test_a_payment_billing_refuses_is_in_the_sync_errors_and_tried_again(quickbooks):
    store, side = await connected(quickbooks)
    realm = store.connection.external_account_id
    pushes, billing = worker(store, side), Billing()
    labs = qb.LabsInvoice(**{**vars(labs_invoice("INV-0012")), "items": (
        qb.LabsItem("Audit", Decimal("1"), Decimal("5000"), Decimal("5000.00")),)})
    await pushes.push(a_push(store, labs))
    [pushed] = quickbooks.invoices(realm, "INV-0012")
    quickbooks.add_payment(realm, pushed["Id"])  # 5,000: more than billing says is due
    sync = QuickBooksSync(Uow(store), side.api,
                          QuickBooksTokens(Uow(store), VAULT, side.refresh), billing)
    outcome = await sync(credentials_of(store))
    assert outcome.records == 0 and "must not exceed the amount due" in outcome.errors[0]
    again = await sync(credentials_of(store))
    assert len(billing.calls) == 2 and again.errors  # tried again, still refused


async def test_a_sync_reports_failed_pushes_and_sends_them_again(quickbooks):
    store, side = await connected(quickbooks)
    push = a_push(store, labs_invoice("STUDIO-2026-INVOICE-00002"))
    await worker(store, side).push(push)
    woken = []
    sync = QuickBooksSync(Uow(store), side.api,
                          QuickBooksTokens(Uow(store), VAULT, side.refresh), Billing(),
                          wake_pushes=lambda: woken.append(True))
    outcome = await sync(credentials_of(store))
    assert "STUDIO-2026-INVOICE-00002" in outcome.errors[0]
    assert "Sent again now." in outcome.errors[0]
    assert store.pushes[push.id]["status"] == qb.PENDING and woken == [True]
    assert store.pushes[push.id]["attempts"] == 0
