"""Finding or creating what a pushed invoice needs in the fake QuickBooks (no PostgreSQL): a retry
after an answer lost on its way back finds the invoice by its number instead of making a second;
QuickBooks' duplicate-number fault (6140) is a find as well, as two pushes racing show; a number
QuickBooks has for another customer is left alone; customers are found by name (two pushes of a
new client make one), and the "Services" item is created when a company has none."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from decimal import Decimal

import pytest

from labs_common.testing.fake_quickbooks import FakeQuickBooks
from labs_integrations.adapters import quickbooks_documents as documents
from labs_integrations.adapters.quickbooks_api import QuickBooksApi, QuickBooksFailed, StaticToken
from labs_integrations.config import Settings
from labs_integrations.domain.quickbooks import LabsInvoice, LabsItem


@pytest.fixture(scope="module")
def quickbooks():
    with FakeQuickBooks() as fake:
        yield fake


def company(fake: FakeQuickBooks, **options) -> tuple[QuickBooksApi, StaticToken, str]:
    realm = str(uuid.uuid4().int % 10**12)
    fake.add_company(realm, "Books", **options)
    source = StaticToken(realm, fake.token_for(realm)["access_token"])
    return QuickBooksApi(Settings(quickbooks_api_url=fake.url)), source, realm


def invoice(number: str = "INV-0001", client: str = "Acme") -> LabsInvoice:
    return LabsInvoice(invoice_id=uuid.uuid4(), number=number, client_id=uuid.uuid4(),
                       client_name=client, currency="USD", issue_date=date(2026, 3, 9),
                       due_date=date(2026, 4, 8),
                       items=(LabsItem("Design", Decimal("2.5"), Decimal("150"),
                                       Decimal("375.00")),),
                       total=Decimal("375.00"))


async def push(api, source, labs: LabsInvoice):
    item = await documents.service_item(api, source, "Services")
    customer = await documents.customer(api, source, labs)
    return await documents.invoice(api, source, labs, customer, item)


async def test_a_retry_after_a_lost_answer_links_the_invoice_it_made(quickbooks):
    api, source, realm = company(quickbooks)
    labs = invoice()
    quickbooks.drop_answers("invoice")
    with pytest.raises(QuickBooksFailed) as lost:
        await push(api, source, labs)
    assert lost.value.transient and lost.value.status == 502
    assert len(quickbooks.invoices(realm, "INV-0001")) == 1  # made, though nobody heard it

    again = await push(api, source, labs)
    [made] = quickbooks.invoices(realm, "INV-0001")
    assert (again.id, again.created) == (made["Id"], False)
    assert made["TotalAmt"] == 375.0 and made["TxnDate"] == "2026-03-09"
    assert made["Line"][0]["SalesItemLineDetail"]["Qty"] == 2.5
    assert len(quickbooks.customers(realm, "Acme")) == 1


async def test_two_pushes_racing_make_one_invoice_the_6140_one_links_it(quickbooks):
    api, source, realm = company(quickbooks)
    labs = invoice("INV-0042")
    item = await documents.service_item(api, source, "Services")
    customer = await documents.customer(api, source, labs)
    quickbooks.latency = 0.05  # both look before either creates
    try:
        first, second = await asyncio.gather(
            documents.invoice(api, source, labs, customer, item),
            documents.invoice(api, source, labs, customer, item))
    finally:
        quickbooks.latency = 0.0
    [made] = quickbooks.invoices(realm, "INV-0042")
    assert {first.id, second.id} == {made["Id"]}
    assert sorted([first.created, second.created]) == [False, True]
    created = [c for c in quickbooks.calls("POST", f"/v3/company/{realm}/invoice")]
    assert sorted(c.status for c in created) == [200, 400]  # the second refused: 6140


async def test_a_number_quickbooks_has_for_another_customer_is_left_alone(quickbooks):
    api, source, realm = company(quickbooks)
    await push(api, source, invoice("INV-0005", client="Someone Else"))
    with pytest.raises(QuickBooksFailed) as refused:
        await push(api, source, invoice("INV-0005", client="Acme"))
    assert not refused.value.transient and "another customer" in refused.value.message
    assert len(quickbooks.invoices(realm, "INV-0005")) == 1


async def test_a_new_client_pushed_twice_at_once_is_one_customer(quickbooks):
    api, source, realm = company(quickbooks)
    labs = invoice(client="O'Neil & Co")
    quickbooks.latency = 0.05
    try:
        ids = await asyncio.gather(documents.customer(api, source, labs),
                                   documents.customer(api, source, labs))
    finally:
        quickbooks.latency = 0.0
    [customer] = quickbooks.customers(realm, "O'Neil & Co")
    assert set(ids) == {customer["Id"]}


async def test_the_services_item_is_created_on_an_income_account_when_missing(quickbooks):
    api, source, realm = company(quickbooks, services_item=False)
    item = await documents.service_item(api, source, "Services")
    [made] = [r for r in quickbooks.companies[realm].of("Item") if r["Name"] == "Services"]
    assert item == made["Id"] and made["Type"] == "Service"
    assert await documents.service_item(api, source, "Services") == item


async def test_a_voided_invoice_is_voided_with_its_sync_token(quickbooks):
    api, source, realm = company(quickbooks)
    pushed = await push(api, source, invoice("INV-0009"))
    await documents.void(api, source, pushed.id)
    [voided] = quickbooks.invoices(realm, "INV-0009")
    assert (voided["Balance"], voided["PrivateNote"]) == (0, "Voided")
