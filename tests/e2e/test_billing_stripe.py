"""Billing's Stripe side on the whole platform, against the session's fake Stripe (the
`fake_stripe` fixture): a sent invoice is pushed to Stripe by billing's worker, paying it in
Stripe sends a signed webhook through the gateway that records one payment, a redelivered event
changes nothing, and with Stripe down an invoice is issued all the same and reaches Stripe later.

This module runs on a suite of its own, configured with the fake Stripe: on the session's suite
every issued invoice would also be pushed to Stripe (and announce `invoice.stripe_synced`),
which other modules' exact expectations do not reckon with.

Run them alone with `-k billing`."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_helpers import auth, join_as, sign_up
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from labs_common.testing.fake_stripe import FakeStripe
from labs_local import Suite, free_port, free_port_base

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def fake_stripe() -> Iterator[FakeStripe]:
    fake = FakeStripe(webhook_secret="whsec_e2e_fake").start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
async def suite(postgres_url: str, tmp_path_factory, smtp_sink,
                fake_stripe: FakeStripe) -> AsyncIterator[Suite]:
    """The platform as conftest starts it, plus billing talking to the fake Stripe, whose
    signed webhooks go to this suite's gateway."""
    suite = Suite(
        data_dir=Path(tmp_path_factory.mktemp("stripe_suite")),
        port_base=free_port_base(),
        gateway_port=free_port(),
        database_url=postgres_url,
        database_prefix=f"labs_e2e_stripe_{uuid.uuid4().hex[:6]}_",
        labs_env="test",
        log_format="json",
        shutdown_grace_seconds=1.0,
        startup_timeout=90.0,
        extra_env={"LABS_RATE_LIMIT": "100000/minute", "LABS_SMTP_URL": smtp_sink.url,
                   "LABS_STRIPE_API_KEY": "sk_test_e2e_fake",
                   "LABS_STRIPE_API_BASE": fake_stripe.url,
                   "LABS_STRIPE_WEBHOOK_SECRET": fake_stripe.webhook_secret,
                   "LABS_STRIPE_SWEEP_SECONDS": "0.5"},
    )
    fake_stripe.webhook_url = f"{suite.gateway_url}/api/v1/webhooks/stripe"
    await suite.start()
    yield suite
    await suite.stop()


@pytest.fixture
async def http(suite: Suite) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{suite.gateway_url}/api/v1", timeout=15) as client:
        yield client


async def eventually(probe: Callable[[], Awaitable[Any]], what: str,
                     timeout: float = 30.0) -> Any:
    """The first truthy answer of `probe`, polled until the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        if found := await probe():
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not before the deadline: {what}")
        await asyncio.sleep(0.1)


async def issued_invoice(http, headers, *items: tuple[str, str, str]) -> dict:
    created = await http.post("/clients", headers=headers,
                              json={"name": f"Client {uuid.uuid4().hex[:6]}"})
    assert created.status_code == 201, created.text
    draft = await http.post("/invoices", headers=headers, json={
        "client_id": created.json()["id"], "currency": "EUR",
        "items": [{"description": d, "quantity": q, "unit_price": p} for d, q, p in items]})
    assert draft.status_code == 201, draft.text
    sent = await http.post(f"/invoices/{draft.json()['id']}/send", headers=headers)
    assert sent.status_code == 200, sent.text
    return sent.json()


async def synced(http, headers, invoice_id: str, timeout: float = 30.0) -> dict:
    async def probe():
        shown = await http.get(f"/invoices/{invoice_id}", headers=headers)
        assert shown.status_code == 200, shown.text
        body = shown.json()
        return body if body.get("stripe_invoice_id") and body.get("payment_url") else None

    return await eventually(probe, f"invoice {invoice_id} pushed to Stripe", timeout)


def stripe_invoices_for(fake, invoice_id: str) -> list[dict]:
    with fake._lock:
        return [dict(i) for i in fake.store.invoices.values()
                if i["metadata"].get("invoice_id") == invoice_id]


async def payments_of(http, headers, invoice_id: str) -> list[dict]:
    listed = await http.get(f"/invoices/{invoice_id}/payments", headers=headers)
    assert listed.status_code == 200, listed.text
    return listed.json()["payments"]


async def inbox_of(suite, stripe_invoice_id: str) -> list[tuple[str, bool]]:
    """(event id, applied) of every delivery billing stored about a Stripe invoice, read from
    billing's database: a redelivered event leaves nothing visible over HTTP to wait for."""
    url = make_url(suite.database_url).set(drivername="postgresql+asyncpg",
                                           database=f"{suite.database_prefix}billing")
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text(
                "SELECT id, processed_at IS NOT NULL FROM stripe_events "
                "WHERE payload->'data'->'object'->>'id' = :id"), {"id": stripe_invoice_id})
            return [(row[0], row[1]) for row in rows]
    finally:
        await engine.dispose()


async def all_applied(suite, stripe_invoice_id: str, count: int) -> None:
    async def probe():
        found = await inbox_of(suite, stripe_invoice_id)
        return len(found) == count and all(applied for _, applied in found)

    await eventually(probe, f"{count} Stripe events about {stripe_invoice_id} applied")


async def test_billing_stripe_push_pay_webhook_and_redelivery(http, fake_stripe, suite):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    invoice = await issued_invoice(http, headers, ("Design", "2", "150.25"), ("Travel", "1", "80"))
    assert invoice["status"] == "sent" and Decimal(invoice["total"]) == Decimal("380.50")

    shown = await synced(http, headers, invoice["id"])
    [pushed] = stripe_invoices_for(fake_stripe, invoice["id"])
    assert pushed["id"] == shown["stripe_invoice_id"]
    assert shown["payment_url"] == pushed["hosted_invoice_url"]
    assert pushed["status"] == "open"
    assert (pushed["amount_due"], pushed["currency"]) == (38050, "eur")
    assert pushed["metadata"]["number"] == invoice["number"]

    fake_stripe.pay_invoice(pushed["id"])
    await fake_stripe.wait_delivered("invoice.paid", pushed["id"], timeout=15)

    async def paid():
        now = (await http.get(f"/invoices/{invoice['id']}", headers=headers)).json()
        return now if now["status"] == "paid" else None

    now = await eventually(paid, "the invoice paid from Stripe's webhook")
    assert Decimal(now["amount_due"]) == 0 and Decimal(now["amount_paid"]) == Decimal("380.50")
    [payment] = await payments_of(http, headers, invoice["id"])
    assert payment["method"] == "stripe" and Decimal(payment["amount"]) == Decimal("380.50")

    # Stripe delivers at least once: the same event again, freshly signed, changes nothing.
    event = next(e for e in fake_stripe.events
                 if e["type"] == "invoice.paid" and e["data"]["object"]["id"] == pushed["id"])
    body = fake_stripe.payload(event)
    again = await http.post("/webhooks/stripe", content=body,
                            headers={"Stripe-Signature": fake_stripe.signed(body),
                                     "Content-Type": "application/json"})
    assert again.status_code == 200, again.text
    # And a new event saying the same (Stripe sends invoice.payment_succeeded too; here one
    # more invoice.paid): the payment is keyed by the Stripe invoice, so still one payment.
    await fake_stripe.wait_delivered("invoice.payment_succeeded", pushed["id"], timeout=15)
    fake_stripe.event("invoice.paid", event["data"]["object"])
    await all_applied(suite, pushed["id"], 3)  # paid, payment_succeeded, paid (once each)
    assert len(await payments_of(http, headers, invoice["id"])) == 1
    final = (await http.get(f"/invoices/{invoice['id']}", headers=headers)).json()
    assert final["status"] == "paid" and Decimal(final["amount_paid"]) == Decimal("380.50")
    assert len(stripe_invoices_for(fake_stripe, invoice["id"])) == 1


async def test_billing_stripe_down_while_sending_then_back(http, fake_stripe):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    fake_stripe.down = True
    try:
        invoice = await issued_invoice(http, headers, ("Audit", "1", "500"))
        assert invoice["status"] == "sent" and invoice["number"] == "INV-0001"
        # The worker tried (and got 503s) while Stripe was down; nothing was made there.
        await eventually(lambda: asyncio.sleep(0, result=any(
            r.status == 503 for r in list(fake_stripe.requests))), "a refused push")
        assert stripe_invoices_for(fake_stripe, invoice["id"]) == []
        shown = (await http.get(f"/invoices/{invoice['id']}", headers=headers)).json()
        assert shown["stripe_invoice_id"] is None and shown["status"] == "sent"
    finally:
        fake_stripe.down = False

    shown = await synced(http, headers, invoice["id"], timeout=45)
    [pushed] = stripe_invoices_for(fake_stripe, invoice["id"])
    assert pushed["id"] == shown["stripe_invoice_id"]
    assert (pushed["amount_due"], pushed["status"]) == (50000, "open")


async def test_billing_the_organizations_plan_goes_through_stripe_billing(http, fake_stripe):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    assert (await http.get("/billing/subscription", headers=headers)).json()["plan"] == "free"

    changed = await http.post("/billing/subscription", headers=headers, json={"plan": "growth"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["plan"], changed.json()["status"]) == ("growth", "pending")

    async def active():
        shown = (await http.get("/billing/subscription", headers=headers)).json()
        return shown if shown["status"] == "active" and shown["renewal_date"] else None

    live = await eventually(active, "the plan confirmed by Stripe")
    assert live["plan"] == "growth"
    with fake_stripe._lock:
        ours = [s for s in fake_stripe.store.subscriptions.values()
                if s["metadata"].get("org_id") == owner["organization"]["id"]]
    assert len(ours) == 1
    assert ours[0]["items"]["data"][0]["price"]["lookup_key"] == "labs_growth"

    upgraded = await http.post("/billing/subscription", headers=headers, json={"plan": "scale"})
    assert upgraded.status_code == 200, upgraded.text

    async def scaled():
        shown = (await http.get("/billing/subscription", headers=headers)).json()
        return shown if (shown["plan"], shown["status"]) == ("scale", "active") else None

    await eventually(scaled, "the upgrade confirmed by Stripe")
    with fake_stripe._lock:
        ours = [s for s in fake_stripe.store.subscriptions.values()
                if s["metadata"].get("org_id") == owner["organization"]["id"]]
    assert len(ours) == 1  # the same subscription, on another price
    assert ours[0]["items"]["data"][0]["price"]["lookup_key"] == "labs_scale"
    member = auth((await join_as(http, owner, "member"))["access_token"])
    refused = await http.post("/billing/subscription", headers=member, json={"plan": "free"})
    assert refused.status_code == 403
