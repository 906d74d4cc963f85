"""The Stripe gateway against the fake Stripe API over HTTP (the official SDK on httpx, no
database): idempotent customers and invoices, amounts in minor units, failures mapped to
StripeUnavailable / StripeRefused, subscriptions by price lookup key, and webhook signatures
checked both ways in time."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from labs_billing.adapters.stripe_gateway import (
    BadSignature,
    StripeGateway,
    StripeRefused,
    StripeUnavailable,
    _call,
    minor_units,
    verify_event,
)
from labs_common.testing.fake_stripe import FakeStripe

API_KEY = "sk_test_labs_billing"
SECRET = "whsec_test_billing_gateway"


@pytest.fixture
async def gateway(fake_stripe: FakeStripe) -> AsyncIterator[StripeGateway]:
    async with StripeGateway(API_KEY, api_base=fake_stripe.url, timeout=5.0) as gateway:
        yield gateway


class Receiver:
    """A tiny webhook endpoint: keeps each request's headers and body, answers 200."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/stripe"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    async def wait_for(self, count: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.received)} webhooks, expected {count}")
            await asyncio.sleep(0.02)


@pytest.fixture
def receiver(fake_stripe: FakeStripe) -> Iterator[Receiver]:
    receiver = Receiver()
    receiver.thread.start()
    fake_stripe.webhook_url, fake_stripe.webhook_secret = receiver.url, SECRET
    try:
        yield receiver
    finally:
        fake_stripe.flush()
        fake_stripe.webhook_url = None
        receiver.server.shutdown()
        receiver.server.server_close()


async def a_customer(gateway: StripeGateway) -> tuple[str, str]:
    org_id = str(uuid.uuid4())
    customer_id = await gateway.ensure_customer(org_id=org_id, client_id=str(uuid.uuid4()),
                                                name="Acme Ltd", email="ap@acme.test")
    return org_id, customer_id


async def push(gateway: StripeGateway, customer_id: str, org_id: str, *, invoice_id: str = "",
               currency: str = "EUR", items: list[tuple[str, int]] | None = None,
               tax_minor: int = 0, due_date: date | None = None):
    return await gateway.push_invoice(
        customer_id=customer_id, invoice_id=invoice_id or str(uuid.uuid4()), org_id=org_id,
        number="INV-0001", currency=currency,
        items=[("Design, 10 h", 100_000), ("Hosting", 2_550)] if items is None else items,
        due_date=due_date, tax_minor=tax_minor)


# customers


async def test_a_client_becomes_one_customer_however_often_it_is_ensured(
        gateway: StripeGateway, fake_stripe: FakeStripe) -> None:
    org_id, client_id = str(uuid.uuid4()), str(uuid.uuid4())

    first = await gateway.ensure_customer(org_id=org_id, client_id=client_id, name="Acme",
                                          email="ap@acme.test")
    again = await gateway.ensure_customer(org_id=org_id, client_id=client_id, name="Acme",
                                          email="ap@acme.test")
    other = await gateway.ensure_customer(org_id=org_id, client_id=str(uuid.uuid4()),
                                          name="Other")

    assert first == again and first.startswith("cus_") and other != first
    mine = [c for c in fake_stripe.store.customers.values()
            if c["metadata"].get("client_id") == client_id]
    assert len(mine) == 1
    assert mine[0]["metadata"] == {"org_id": org_id, "client_id": client_id}
    assert mine[0]["email"] == "ap@acme.test" and mine[0]["name"] == "Acme"


async def test_an_org_becomes_one_customer(gateway: StripeGateway,
                                           fake_stripe: FakeStripe) -> None:
    org_id = str(uuid.uuid4())

    first = await gateway.ensure_org_customer(org_id=org_id, name="Studio", email="a@b.test")
    again = await gateway.ensure_org_customer(org_id=org_id, name="Studio", email="a@b.test")

    assert first == again
    assert fake_stripe.store.customers[first]["metadata"] == {"org_id": org_id, "kind": "org"}


# invoices


async def test_an_invoice_is_pushed_finalized_with_its_items_and_tax(
        gateway: StripeGateway, fake_stripe: FakeStripe) -> None:
    org_id, customer_id = await a_customer(gateway)
    invoice_id = str(uuid.uuid4())

    pushed = await push(gateway, customer_id, org_id, invoice_id=invoice_id, tax_minor=20_510,
                        due_date=date.today() + timedelta(days=14))

    assert pushed.id.startswith("in_") and pushed.status == "open"
    assert pushed.hosted_invoice_url and pushed.hosted_invoice_url.startswith(fake_stripe.url)
    assert pushed.currency == "EUR" and pushed.amount_paid_minor == 0
    assert pushed.amount_due_minor == 100_000 + 2_550 + 20_510
    assert pushed.metadata == {"org_id": org_id, "invoice_id": invoice_id, "number": "INV-0001"}
    stored = fake_stripe.store.invoices[pushed.id]
    assert stored["collection_method"] == "send_invoice" and stored["auto_advance"] is False
    assert [(line["description"], line["amount"]) for line in stored["lines"]["data"]] == [
        ("Design, 10 h", 100_000), ("Hosting", 2_550), ("Tax", 20_510)]
    due = datetime.fromtimestamp(stored["due_date"], UTC).date()
    assert due == date.today() + timedelta(days=14)


async def test_a_retried_push_makes_no_second_invoice(gateway: StripeGateway,
                                                      fake_stripe: FakeStripe) -> None:
    org_id, customer_id = await a_customer(gateway)
    invoice_id = str(uuid.uuid4())

    first = await push(gateway, customer_id, org_id, invoice_id=invoice_id, tax_minor=100)
    requests_before = len(fake_stripe.requests)
    retried = await push(gateway, customer_id, org_id, invoice_id=invoice_id, tax_minor=100)

    assert retried == first
    assert len(fake_stripe.invoices_of(customer_id)) == 1
    items = [i for i in fake_stripe.store.invoice_items.values()
             if i["customer"] == customer_id]
    assert len(items) == 3  # two items and the tax, once
    replays = fake_stripe.requests[requests_before:]
    assert all(r.replayed for r in replays if r.method == "POST") and replays


async def test_a_push_that_crashed_after_the_draft_completes_it_on_retry(
        gateway: StripeGateway, fake_stripe: FakeStripe) -> None:
    org_id, customer_id = await a_customer(gateway)
    invoice_id = str(uuid.uuid4())
    # The first attempt only got as far as the draft.
    draft = await gateway._v1.invoices.create_async(
        {"customer": customer_id, "currency": "eur", "collection_method": "send_invoice",
         "pending_invoice_items_behavior": "exclude", "auto_advance": False,
         "metadata": {"org_id": org_id, "invoice_id": invoice_id, "number": "INV-0001"},
         "days_until_due": 30},
        {"idempotency_key": f"labs-invoice-{invoice_id}-create"})

    pushed = await push(gateway, customer_id, org_id, invoice_id=invoice_id)

    assert pushed.id == draft.id and pushed.status == "open"
    assert pushed.amount_due_minor == 102_550
    assert len(fake_stripe.invoices_of(customer_id)) == 1


async def test_zero_decimal_currencies_have_no_cents(gateway: StripeGateway) -> None:
    org_id, customer_id = await a_customer(gateway)

    pushed = await push(gateway, customer_id, org_id, currency="JPY",
                        items=[("Consulting", minor_units(Decimal("150000"), "JPY"))],
                        tax_minor=minor_units(Decimal("15000"), "JPY"))

    assert pushed.currency == "JPY" and pushed.amount_due_minor == 165_000


def test_minor_units_follow_stripes_currency_rules() -> None:
    assert minor_units(Decimal("12.34"), "EUR") == 1234
    assert minor_units(Decimal("12.345"), "usd") == 1235  # half away from zero
    assert minor_units(Decimal("-0.005"), "EUR") == -1
    assert minor_units(Decimal("1234"), "JPY") == 1234
    assert minor_units(Decimal("1234.5"), "KRW") == 1235
    assert minor_units(Decimal("1.234"), "KWD") == 1230  # thousandths, last digit 0
    assert minor_units(Decimal("99.6"), "ISK") == 10000  # whole krónur, in cents


async def test_an_invoice_is_retrieved_and_voided_once(gateway: StripeGateway) -> None:
    org_id, customer_id = await a_customer(gateway)
    pushed = await push(gateway, customer_id, org_id)

    voided = await gateway.void_invoice(pushed.id)
    again = await gateway.void_invoice(pushed.id)
    read = await gateway.retrieve_invoice(pushed.id)

    assert voided.status == again.status == read.status == "void"


async def test_a_paid_invoice_cannot_be_voided(gateway: StripeGateway,
                                               fake_stripe: FakeStripe) -> None:
    org_id, customer_id = await a_customer(gateway)
    pushed = await push(gateway, customer_id, org_id)
    fake_stripe.pay_invoice(pushed.id)

    with pytest.raises(StripeRefused) as refused:
        await gateway.void_invoice(pushed.id)
    assert refused.value.http_status == 400 and "paid" in refused.value.message


# failures


async def test_stripe_down_is_unavailable_and_a_later_retry_makes_one_invoice(
        fake_stripe: FakeStripe) -> None:
    org_id = str(uuid.uuid4())
    invoice_id = str(uuid.uuid4())
    async with StripeGateway(API_KEY, api_base=fake_stripe.url) as gateway:
        customer_id = await gateway.ensure_customer(org_id=org_id, client_id="c", name="Acme")
        fake_stripe.down = True
        try:
            before = len(fake_stripe.requests)
            with pytest.raises(StripeUnavailable):
                await push(gateway, customer_id, org_id, invoice_id=invoice_id)
            # The SDK retried the 503 itself (max_network_retries=2) before giving up.
            assert len(fake_stripe.requests) - before == 3
        finally:
            fake_stripe.down = False
        pushed = await push(gateway, customer_id, org_id, invoice_id=invoice_id)

    assert pushed.status == "open"
    assert len(fake_stripe.invoices_of(customer_id)) == 1


async def test_an_unreachable_stripe_is_unavailable() -> None:
    from labs_common.testing.infrastructure import free_port

    async with StripeGateway(API_KEY, api_base=f"http://127.0.0.1:{free_port()}",
                             max_network_retries=0) as gateway:
        with pytest.raises(StripeUnavailable):
            await gateway.retrieve_invoice("in_nothing_listens")


async def test_refusals_carry_stripes_message(gateway: StripeGateway,
                                              fake_stripe: FakeStripe) -> None:
    with pytest.raises(StripeRefused) as missing:
        await gateway.retrieve_invoice("in_doesnotexist")
    assert missing.value.code == "resource_missing" and missing.value.http_status == 404
    assert "in_doesnotexist" in missing.value.message

    async with StripeGateway("sk_live_not_here", api_base=fake_stripe.url) as live:
        with pytest.raises(StripeRefused) as unauthorized:
            await live.retrieve_invoice("in_whatever")
    assert unauthorized.value.http_status == 401


# subscriptions


async def test_a_subscription_is_created_then_changed_by_plan(
        gateway: StripeGateway, fake_stripe: FakeStripe) -> None:
    org_id = str(uuid.uuid4())
    customer_id = await gateway.ensure_org_customer(org_id=org_id, name="Studio")

    created = await gateway.change_subscription(customer_id=customer_id, subscription_id=None,
                                                plan="starter", org_id=org_id)
    retried = await gateway.change_subscription(customer_id=customer_id, subscription_id=None,
                                                plan="starter", org_id=org_id)
    changed = await gateway.change_subscription(customer_id=customer_id,
                                                subscription_id=created.id, plan="growth",
                                                org_id=org_id)

    assert created.id.startswith("sub_") and created.status == "active"
    assert created.plan == "starter" and created.customer_id == customer_id
    assert created.price_id == fake_stripe.price("labs_starter")["id"]
    assert created.current_period_end and created.current_period_end > datetime.now(UTC)
    assert retried.id == created.id
    assert changed.id == created.id and changed.plan == "growth"
    assert changed.metadata == {"org_id": org_id, "plan": "growth"}
    stored = fake_stripe.store.subscriptions[created.id]
    assert len(stored["items"]["data"]) == 1
    events = [e for e in fake_stripe.events if e["data"]["object"]["id"] == created.id]
    assert [e["type"] for e in events] == ["customer.subscription.created",
                                          "customer.subscription.updated"]
    updated = events[-1]["data"]
    assert updated["object"]["status"] == "active"
    assert updated["object"]["items"]["data"][0]["current_period_end"] > time.time()
    assert (updated["previous_attributes"]["items"]["data"][0]["price"]["lookup_key"]
            == "labs_starter")


async def test_a_plan_without_a_price_is_refused(gateway: StripeGateway) -> None:
    org_id = str(uuid.uuid4())
    customer_id = await gateway.ensure_org_customer(org_id=org_id, name="Studio")

    with pytest.raises(StripeRefused, match="labs_platinum"):
        await gateway.change_subscription(customer_id=customer_id, subscription_id=None,
                                          plan="platinum", org_id=org_id)


# webhook signatures


def an_event(fake: FakeStripe) -> tuple[dict, bytes]:
    event = fake.event("invoice.paid", {"id": "in_x", "object": "invoice", "status": "paid"},
                       deliver=False)
    return event, fake.payload(event)


def test_the_fakes_signature_is_accepted(fake_stripe: FakeStripe) -> None:
    event, payload = an_event(fake_stripe)

    verified = verify_event(payload, fake_stripe.signed(payload, SECRET), SECRET)

    assert verified == event
    assert verified["id"].startswith("evt_") and verified["object"] == "event"
    assert verified["livemode"] is False and verified["api_version"]


def test_a_signature_with_another_secret_is_refused(fake_stripe: FakeStripe) -> None:
    _event, payload = an_event(fake_stripe)

    with pytest.raises(BadSignature):
        verify_event(payload, fake_stripe.signed(payload, "whsec_someone_else"), SECRET)


def test_a_tampered_payload_is_refused(fake_stripe: FakeStripe) -> None:
    _event, payload = an_event(fake_stripe)
    header = fake_stripe.signed(payload, SECRET)
    tampered = payload.replace(b'"paid"', b'"void"')

    assert tampered != payload
    with pytest.raises(BadSignature):
        verify_event(tampered, header, SECRET)


@pytest.mark.parametrize("skew", [-360, 360], ids=["6 minutes old", "6 minutes ahead"])
def test_a_signature_outside_five_minutes_is_refused(fake_stripe: FakeStripe,
                                                     skew: int) -> None:
    _event, payload = an_event(fake_stripe)
    now = time.time()

    with pytest.raises(BadSignature, match="300"):
        verify_event(payload, fake_stripe.signed(payload, SECRET, now + skew), SECRET)
    # the same header, read when it was fresh
    assert verify_event(payload, fake_stripe.signed(payload, SECRET, now + skew), SECRET,
                        now=now + skew + 10)


@pytest.mark.parametrize("skew", [-290, 290])
def test_a_signature_within_five_minutes_is_accepted(fake_stripe: FakeStripe,
                                                     skew: int) -> None:
    _event, payload = an_event(fake_stripe)

    assert verify_event(payload, fake_stripe.signed(payload, SECRET, time.time() + skew), SECRET)


@pytest.mark.parametrize("header", ["", "garbage", "t=abc,v1=00", "t=1700000000",
                                    "v1=deadbeef"])
def test_a_missing_or_malformed_signature_is_refused(fake_stripe: FakeStripe,
                                                     header: str) -> None:
    _event, payload = an_event(fake_stripe)

    with pytest.raises(BadSignature):
        verify_event(payload, header, SECRET)


def test_bad_signature_is_a_value_error() -> None:
    assert issubclass(BadSignature, ValueError)


# paying in the fake


async def test_paying_delivers_signed_invoice_events(
        gateway: StripeGateway, fake_stripe: FakeStripe, receiver: Receiver) -> None:
    org_id, customer_id = await a_customer(gateway)
    pushed = await push(gateway, customer_id, org_id, tax_minor=450)

    fake_stripe.pay_invoice(pushed.id)
    await receiver.wait_for(2)

    events = []
    for headers, body in receiver.received:
        assert headers["content-type"].startswith("application/json")
        events.append(verify_event(body, headers["stripe-signature"], SECRET))
    assert [e["type"] for e in events] == ["invoice.paid", "invoice.payment_succeeded"]
    for event in events:
        invoice = event["data"]["object"]
        assert invoice["object"] == "invoice" and invoice["id"] == pushed.id
        assert invoice["status"] == "paid" and invoice["amount_paid"] == 103_000
        assert invoice["metadata"]["invoice_id"] == pushed.metadata["invoice_id"]
    assert len({e["id"] for e in events}) == 2
    with pytest.raises(BadSignature):
        verify_event(receiver.received[0][1], receiver.received[0][0]["stripe-signature"],
                     "whsec_wrong")
    read = await gateway.retrieve_invoice(pushed.id)
    assert read.status == "paid" and read.amount_paid_minor == 103_000
    assert json.loads(receiver.received[0][1])["data"]["object"]["id"] == pushed.id


async def test_the_hosted_invoice_page_shows_and_pays_the_invoice(
        gateway: StripeGateway, fake_stripe: FakeStripe, receiver: Receiver) -> None:
    org_id, customer_id = await a_customer(gateway)
    pushed = await push(gateway, customer_id, org_id)
    assert pushed.hosted_invoice_url

    async with httpx.AsyncClient() as browser:
        page = await browser.get(pushed.hosted_invoice_url)
        paid = await browser.post(f"{pushed.hosted_invoice_url}/pay")

    assert page.status_code == 200 and pushed.number and pushed.number in page.text
    assert paid.status_code == 200
    await fake_stripe.wait_delivered("invoice.paid", pushed.id)
    assert (await gateway.retrieve_invoice(pushed.id)).status == "paid"


# the fake itself, where the gateway does not go


async def test_the_fake_attaches_pending_items_when_asked_to(
        gateway: StripeGateway, fake_stripe: FakeStripe) -> None:
    _org_id, customer_id = await a_customer(gateway)
    v1 = gateway._v1
    item = await v1.invoice_items.create_async(
        {"customer": customer_id, "currency": "eur", "amount": 700, "description": "Pending"})

    excluded = await v1.invoices.create_async({"customer": customer_id, "currency": "eur"})
    included = await v1.invoices.create_async(
        {"customer": customer_id, "currency": "eur", "pending_invoice_items_behavior": "include"})

    assert excluded.total == 0 and included.total == 700
    assert fake_stripe.store.invoice_items[item.id]["invoice"] == included.id


async def test_the_fake_refuses_an_idempotency_key_reused_with_other_parameters(
        gateway: StripeGateway) -> None:
    key = f"labs-test-{uuid.uuid4()}"
    await gateway._v1.customers.create_async({"name": "One"}, {"idempotency_key": key})

    with pytest.raises(StripeRefused, match="same parameters"):
        await _call(gateway._v1.customers.create_async({"name": "Two"},
                                                       {"idempotency_key": key}))
