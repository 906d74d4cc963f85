"""QuickBooks Online's side of Labs, plain Python: when an access token is due for refreshing, how
a Labs invoice becomes a QuickBooks invoice (lines, DocNumber, customer's display name), how a
QuickBooks payment becomes Labs payments (one per invoice it pays, each named for ever by an
external id), which way payments are read (Change Data Capture, or a full query once the cursor
is older than CDC's 30 days), and the retry schedule of pushes."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from labs_common.retries import doubling

# Intuit's access tokens last an hour; one with less than this left is refreshed before use, so
# a request never starts with a token that lapses on its way.
REFRESH_MARGIN = timedelta(minutes=5)
# Change Data Capture answers changes of the last 30 days only; a cursor older than this (less a
# margin for clocks) is read again by a query instead.
CDC_WINDOW = timedelta(days=30)
CDC_MARGIN = timedelta(hours=1)
# Each sync reads again from a little before the last one started (edits in flight, clocks):
# what it reads twice is recognised by its external id.
CURSOR_OVERLAP = timedelta(minutes=5)
# The query language answers at most 1,000 rows a page.
QUERY_PAGE = 1000
# Pushes: the first retry after the base, doubling, at most 6 hours apart, given up after 3 days.
PUSH_RETRY_CAP = timedelta(hours=6)
PUSH_GIVE_UP = timedelta(days=3)
# QuickBooks' fault codes the push answers itself.
DUPLICATE_DOC_NUMBER = "6140"
DUPLICATE_NAME = "6240"
# Limits of QuickBooks' fields.
MAX_DISPLAY_NAME = 500
MAX_DESCRIPTION = 4000
MAX_PRIVATE_NOTE = 4000

INVOICE, VOID = "invoice", "void"
PENDING, DONE, FAILED = "pending", "done", "failed"
# Payment lines read from QuickBooks: waiting to be recorded, recorded in Labs, refused by Labs
# (its message kept, tried again each sync), or on an invoice Labs does not know (yet).
WAITING, RECORDED, REFUSED, UNMATCHED = "waiting", "recorded", "refused", "unmatched"

_NAME_BREAKS = re.compile(r"[\t\r\n:]+")


def needs_refresh(secret: dict[str, Any], now: datetime) -> bool:
    """True when the secret's access token has less than the margin left (or no expiry known)."""
    try:
        expires_at = float(secret.get("expires_at") or 0)
    except (TypeError, ValueError):
        return True
    return expires_at - now.timestamp() < REFRESH_MARGIN.total_seconds()


def quoted(value: str) -> str:
    """A string literal of QuickBooks' query language: single quotes, a backslash before a quote
    or a backslash inside."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def query_time(moment: datetime) -> str:
    """A DateTime as the query language and CDC's changedSince take it (ISO 8601 with offset)."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def display_name(client_name: str, client_id: uuid.UUID | None) -> str:
    """The customer's DisplayName: the client's name on one line, without the colons QuickBooks
    reads as a sub-customer's path, within its length; a client without a name by its id."""
    name = " ".join(_NAME_BREAKS.sub(" ", client_name).split())[:MAX_DISPLAY_NAME].strip()
    if name:
        return name
    return f"Labs client {str(client_id)[:8]}" if client_id else "Labs client"


def _decimal(text: Any) -> Decimal:
    try:
        return Decimal(str(text)) if text not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def _amount(value: Decimal) -> float:
    """Money for QuickBooks' JSON: a number (two decimals, so a float is exact enough)."""
    return float(value.quantize(Decimal("0.01")))


@dataclass(frozen=True)
class LabsItem:
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class LabsInvoice:
    """What a push needs of an issued Labs invoice, as billing's event carried it (kept in the
    push row as JSON: a retry sends what was issued, without asking billing)."""

    invoice_id: uuid.UUID
    number: str
    client_id: uuid.UUID | None
    client_name: str
    currency: str
    issue_date: date | None
    due_date: date | None
    items: tuple[LabsItem, ...] = ()
    tax_rate: str = ""
    tax_amount: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    project_name: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "invoice_id": str(self.invoice_id), "number": self.number,
            "client_id": str(self.client_id) if self.client_id else None,
            "client_name": self.client_name, "currency": self.currency,
            "issue_date": self.issue_date.isoformat() if self.issue_date else None,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "items": [{"description": i.description, "quantity": str(i.quantity),
                       "unit_price": str(i.unit_price), "amount": str(i.amount)}
                      for i in self.items],
            "tax_rate": self.tax_rate, "tax_amount": str(self.tax_amount),
            "total": str(self.total), "project_name": self.project_name}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LabsInvoice:
        def day(text: str | None) -> date | None:
            try:
                return date.fromisoformat(text) if text else None
            except ValueError:
                return None

        client = data.get("client_id")
        return cls(
            invoice_id=uuid.UUID(data["invoice_id"]), number=str(data.get("number") or ""),
            client_id=uuid.UUID(client) if client else None,
            client_name=str(data.get("client_name") or ""),
            currency=str(data.get("currency") or ""),
            issue_date=day(data.get("issue_date")), due_date=day(data.get("due_date")),
            items=tuple(LabsItem(str(i.get("description") or ""), _decimal(i.get("quantity")),
                                 _decimal(i.get("unit_price")), _decimal(i.get("amount")))
                        for i in data.get("items") or []),
            tax_rate=str(data.get("tax_rate") or ""), tax_amount=_decimal(data.get("tax_amount")),
            total=_decimal(data.get("total")), project_name=str(data.get("project_name") or ""))


def invoice_lines(invoice: LabsInvoice, item_id: str) -> list[dict[str, Any]]:
    """One sales line per Labs item, on the configured item. Qty and UnitPrice go along only
    when they multiply to the line's amount exactly: QuickBooks refuses a line whose amount
    differs from them, and Labs rounds each item's amount to the cent. Labs' tax (a rate it
    computed) is a line of its own, so the QuickBooks invoice totals what the client owes and a
    payment of the whole amount settles both."""
    lines: list[dict[str, Any]] = []
    for item in invoice.items:
        detail: dict[str, Any] = {"ItemRef": {"value": item_id}}
        if item.quantity and item.quantity * item.unit_price == item.amount:
            detail.update(Qty=float(item.quantity), UnitPrice=float(item.unit_price))
        lines.append({"DetailType": "SalesItemLineDetail", "Amount": _amount(item.amount),
                      "Description": item.description[:MAX_DESCRIPTION],
                      "SalesItemLineDetail": detail})
    if invoice.tax_amount:
        rate = f" ({invoice.tax_rate}%)" if invoice.tax_rate else ""
        lines.append({"DetailType": "SalesItemLineDetail",
                      "Amount": _amount(invoice.tax_amount), "Description": f"Tax{rate}",
                      "SalesItemLineDetail": {"ItemRef": {"value": item_id}}})
    return lines


def invoice_body(invoice: LabsInvoice, customer_id: str, item_id: str) -> dict[str, Any]:
    """The QuickBooks Invoice to create: the Labs number as its DocNumber (what finds it again),
    the issue and due dates, the customer, the lines."""
    body: dict[str, Any] = {
        # Never cut short to fit QuickBooks' 21 characters: two numbers could become one. A
        # longer one is refused by QuickBooks, and the push fails visibly.
        "DocNumber": invoice.number,
        "CustomerRef": {"value": customer_id},
        "Line": invoice_lines(invoice, item_id),
        "PrivateNote": f"Labs invoice {invoice.invoice_id}"[:MAX_PRIVATE_NOTE],
    }
    if invoice.currency:
        body["CurrencyRef"] = {"value": invoice.currency}
    if invoice.issue_date:
        body["TxnDate"] = invoice.issue_date.isoformat()
    if invoice.due_date:
        body["DueDate"] = invoice.due_date.isoformat()
    return body


def customer_body(invoice: LabsInvoice) -> dict[str, Any]:
    body: dict[str, Any] = {"DisplayName": display_name(invoice.client_name, invoice.client_id)}
    if invoice.currency:
        body["CurrencyRef"] = {"value": invoice.currency}
    return body


def doc_number_query(number: str) -> str:
    return f"select * from Invoice where DocNumber = {quoted(number)}"


def customer_query(name: str) -> str:
    return f"select * from Customer where DisplayName = {quoted(name)}"


def item_query(name: str) -> str:
    return f"select * from Item where Name = {quoted(name)}"


def payments_query(since: datetime) -> str:
    return ("select * from Payment where MetaData.LastUpdatedTime > "
            f"{quoted(query_time(since))} orderby MetaData.LastUpdatedTime")


def read_by_cdc(since: datetime, now: datetime) -> bool:
    """CDC when the cursor is within its 30 days; else the full resync by query."""
    return now - since < CDC_WINDOW - CDC_MARGIN


def push_retry_delay(attempts: int, base: timedelta) -> timedelta:
    return timedelta(seconds=doubling(attempts, base.total_seconds(),
                                      PUSH_RETRY_CAP.total_seconds()))


@dataclass(frozen=True)
class PaymentLine:
    """The part of a QuickBooks payment that pays one QuickBooks invoice."""

    payment_id: str
    quickbooks_invoice_id: str
    amount: Decimal
    paid_on: date

    def external_id(self, realm_id: str) -> str:
        """What billing knows the Labs payment by: the same line read again is the same one."""
        return f"quickbooks:{realm_id}:{self.payment_id}:{self.quickbooks_invoice_id}"

    @property
    def paid_at(self) -> datetime:
        """Noon UTC of the payment's date: the same calendar day in every agency's timezone
        from UTC-11 to UTC+11 (QuickBooks' TxnDate is a date, not a moment)."""
        return datetime.combine(self.paid_on, time(12), UTC)

    @property
    def reference(self) -> str:
        return f"QuickBooks payment {self.payment_id}"


@dataclass
class PaymentsRead:
    """What one read of QuickBooks' payments found: the lines that pay invoices, and the ids of
    payments deleted (or voided) there, which Labs leaves as they are (logged)."""

    lines: list[PaymentLine] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


def is_deleted(payment: dict[str, Any]) -> bool:
    return str(payment.get("status", "")).lower() == "deleted"


def payment_lines(payment: dict[str, Any]) -> list[PaymentLine]:
    """The lines of a Payment that apply to invoices (Line[].LinkedTxn of TxnType Invoice); a
    payment that pays several invoices has a line for each. Lines without a positive amount,
    and payments without an id or a date, give nothing."""
    payment_id = str(payment.get("Id") or "")
    try:
        paid_on = date.fromisoformat(str(payment.get("TxnDate") or ""))
    except ValueError:
        return []
    if not payment_id:
        return []
    found: list[PaymentLine] = []
    for line in payment.get("Line") or []:
        amount = _decimal(line.get("Amount"))
        invoices = [str(t.get("TxnId")) for t in line.get("LinkedTxn") or []
                    if t.get("TxnType") == "Invoice" and t.get("TxnId")]
        # A line names one invoice; should one ever name several, its amount cannot be split
        # honestly, so it goes to the first.
        if amount > 0 and invoices:
            found.append(PaymentLine(payment_id, invoices[0], amount, paid_on))
    return found


def read_payments(payments: list[dict[str, Any]]) -> PaymentsRead:
    read = PaymentsRead()
    for payment in payments:
        if is_deleted(payment):
            read.deleted.append(str(payment.get("Id") or ""))
        else:
            read.lines.extend(payment_lines(payment))
    return read


@dataclass(frozen=True)
class InvoicePush:
    """A queued push: an issued invoice to create in QuickBooks, or a voided one to void."""

    id: uuid.UUID
    org_id: uuid.UUID
    invoice_id: uuid.UUID
    kind: str
    invoice: dict[str, Any]
    attempts: int
    give_up_at: datetime
    status: str = PENDING
    last_error: str | None = None
    quickbooks_id: str | None = None

    @property
    def labs(self) -> LabsInvoice:
        return LabsInvoice.from_json(self.invoice)


@dataclass(frozen=True)
class CompanyState:
    realm_id: str
    item_id: str | None = None
    payments_since: datetime | None = None


def client_key(invoice: LabsInvoice) -> str:
    """How a Labs client's customer is remembered: by its id, or by name if it has none."""
    return str(invoice.client_id) if invoice.client_id else f"name:{invoice.client_name}"
