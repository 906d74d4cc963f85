"""Finding or creating, in one QuickBooks company, what a pushed Labs invoice needs: the item its
lines are booked on, its client's customer, and the invoice itself.

Each looks before it creates, and a creation QuickBooks refuses as a duplicate (another push of
the same client at the same moment, a retry after an answer that was lost) is looked up again
and used: a retry never makes a second document. An invoice is found by its DocNumber, the Labs
number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labs_integrations.adapters.quickbooks_api import QuickBooksApi, QuickBooksFailed, TokenSource
from labs_integrations.domain.quickbooks import (
    DUPLICATE_DOC_NUMBER,
    DUPLICATE_NAME,
    LabsInvoice,
    customer_body,
    customer_query,
    display_name,
    doc_number_query,
    invoice_body,
    item_query,
)

INCOME_ACCOUNTS = "select * from Account where AccountType = 'Income'"


@dataclass(frozen=True)
class PushedInvoice:
    """The QuickBooks invoice of a Labs invoice; `created`: by this push (else found)."""

    id: str
    sync_token: str
    created: bool


async def _first(api: QuickBooksApi, source: TokenSource, statement: str, entity: str
                 ) -> dict[str, Any] | None:
    rows = await api.query(source, statement, entity, page=1)
    return rows[0] if rows else None


async def service_item(api: QuickBooksApi, source: TokenSource, name: str) -> str:
    """The id of the item named `name` ("Services" in a new company); created as a service on
    the first income account when the company has none."""
    found = await _first(api, source, item_query(name), "Item")
    if found is not None:
        return str(found["Id"])
    account = await _first(api, source, INCOME_ACCOUNTS, "Account")
    if account is None:
        raise QuickBooksFailed(f"QuickBooks has no item named {name!r} and no income account "
                               "to create it on; add one in QuickBooks.")
    try:
        created = await api.create(source, "Item", {
            "Name": name, "Type": "Service", "IncomeAccountRef": {"value": str(account["Id"])}})
    except QuickBooksFailed as error:
        if error.code != DUPLICATE_NAME or (
                found := await _first(api, source, item_query(name), "Item")) is None:
            raise
        return str(found["Id"])
    return str(created["Id"])


async def customer(api: QuickBooksApi, source: TokenSource, invoice: LabsInvoice) -> str:
    """The id of the customer whose DisplayName is the client's name, created if missing."""
    name = display_name(invoice.client_name, invoice.client_id)
    found = await _first(api, source, customer_query(name), "Customer")
    if found is not None:
        return str(found["Id"])
    try:
        created = await api.create(source, "Customer", customer_body(invoice))
    except QuickBooksFailed as error:
        if error.code != DUPLICATE_NAME or (
                found := await _first(api, source, customer_query(name), "Customer")) is None:
            raise  # a vendor or employee of that name, an inactive customer: QuickBooks says
        return str(found["Id"])
    return str(created["Id"])


def _ours(found: dict[str, Any], invoice: LabsInvoice, customer_id: str) -> PushedInvoice:
    """A QuickBooks invoice with the Labs number is this push's only if it is the client's: a
    number typed in QuickBooks for someone else is never taken over."""
    owner = str((found.get("CustomerRef") or {}).get("value") or "")
    if owner != customer_id:
        raise QuickBooksFailed(f"QuickBooks already has an invoice numbered {invoice.number} "
                               "for another customer; Labs left it alone.", code="labs-number")
    return PushedInvoice(str(found["Id"]), str(found.get("SyncToken") or "0"), created=False)


async def find_invoice(api: QuickBooksApi, source: TokenSource, number: str
                       ) -> dict[str, Any] | None:
    return await _first(api, source, doc_number_query(number), "Invoice")


async def invoice(api: QuickBooksApi, source: TokenSource, labs: LabsInvoice, customer_id: str,
                  item_id: str) -> PushedInvoice:
    """The QuickBooks invoice numbered like `labs`: found (a retry after a lost answer), else
    created; QuickBooks' duplicate-number refusal (6140) is a find too."""
    found = await find_invoice(api, source, labs.number)
    if found is not None:
        return _ours(found, labs, customer_id)
    try:
        created = await api.create(source, "Invoice", invoice_body(labs, customer_id, item_id))
    except QuickBooksFailed as error:
        if error.code != DUPLICATE_DOC_NUMBER or (
                found := await find_invoice(api, source, labs.number)) is None:
            raise
        return _ours(found, labs, customer_id)
    return PushedInvoice(str(created["Id"]), str(created.get("SyncToken") or "0"), created=True)


async def void(api: QuickBooksApi, source: TokenSource, invoice_id: str) -> None:
    """Voids the QuickBooks invoice (its SyncToken read first, as QuickBooks requires)."""
    current = await api.read(source, "Invoice", invoice_id)
    await api.void_invoice(source, invoice_id, str(current.get("SyncToken") or "0"))
