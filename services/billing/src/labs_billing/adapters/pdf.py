"""An invoice as the PDF a client pays: an HTML template (templates/invoice.html, Jinja2 with
autoescaping, since descriptions and notes are user input) laid out on A4 by WeasyPrint.

Nothing is fetched while rendering: the template carries its own CSS (after Labs' print style
sheet, labs_common.pdf), its fonts are the system's (DejaVu Sans on Debian; the billing image
installs fonts-dejavu-core), and labs_common.pdf's renderer refuses every URL but `data:`, so a
description or note can never make the renderer reach the network or read a local file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from labs_billing.domain.model import Invoice, Status
from labs_common import pdf

TEMPLATES = Path(__file__).parent / "templates"
EN_DASH = "\u2013"  # between the ends of a period
# Symbols for the currencies whose symbol says which currency it is; any other reads by its code.
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}
# The status a reader sees today, as the badge under the number; sent and partly paid invoices
# carry none (the amounts say how much is left), a draft says so in place of its title.
BADGES = {Status.PAID: "Paid", Status.VOID: "Void", Status.OVERDUE: "Overdue"}
# Across the page, for documents that are not (or no longer) a request for payment.
WATERMARKS = {Status.DRAFT: "DRAFT", Status.VOID: "VOID"}


@dataclass(frozen=True)
class Party:
    """Who sends or receives the invoice."""

    name: str
    email: str = ""
    address: str = ""  # multi-line allowed


def format_money(amount: Decimal, currency: str) -> str:
    """`$12,345.60`, `€0.50`, `-£20.00`; `1,234.50 CHF` where no symbol is unambiguous."""
    code = currency.upper()
    sign = "-" if amount < 0 else ""
    digits = f"{abs(amount):,.2f}"
    if symbol := CURRENCY_SYMBOLS.get(code):
        return f"{sign}{symbol}{digits}"
    return f"{sign}{digits} {code}"


def format_quantity(quantity: Decimal) -> str:
    """`12.5`, `1,200`, `0.25`: as many decimals as it has, no trailing zeros."""
    return format(quantity.normalize(), ",f") if quantity else "0"


def format_percent(rate: Decimal) -> str:
    """`20%`, `8.875%`."""
    return f"{format(rate.normalize(), 'f') if rate else '0'}%"


def format_date(day: date | None) -> str:
    """`7 May 2026`: the same to a reader on either side of the Atlantic."""
    return f"{day.day} {day:%b %Y}" if day else ""


def format_period(start: date | None, end: date | None) -> str:
    """`1-31 Mar 2026`, `15 Mar - 14 Apr 2026`, `1 Dec 2025 - 31 Jan 2026` (with en dashes); one
    end alone if the other is unset."""
    if not (start and end):
        return format_date(start or end)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}{EN_DASH}{format_date(end)}"
    if start.year == end.year:
        return f"{start.day} {start:%b} {EN_DASH} {format_date(end)}"
    return f"{format_date(start)} {EN_DASH} {format_date(end)}"


def pdf_filename(invoice: Invoice) -> str:
    """`INV-0007.pdf` for an issued invoice, `draft-1a2b3c4d.pdf` (its id's first 8 hex digits)
    for a draft. A number's characters other than letters, digits, `.`, `_` and `-` become `-`."""
    if invoice.number:
        return f"{re.sub(r'[^A-Za-z0-9._-]', '-', invoice.number)}.pdf"
    return f"draft-{invoice.id.hex[:8]}.pdf"


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader([TEMPLATES, pdf.TEMPLATES]), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(quantity=format_quantity, percent=format_percent, day=format_date)
    return env


# Loaded and compiled once per process.
_ENV = _environment()
_TEMPLATE = _ENV.get_template("invoice.html")


def _payment_url(invoice: Invoice, status: Status) -> str | None:
    """The link to pay online, while there is something to pay and the link is a web address."""
    url = (invoice.payment_url or "").strip()
    payable = status not in (Status.DRAFT, Status.VOID, Status.PAID) and invoice.amount_due > 0
    return url if payable and re.match(r"https?://", url, re.IGNORECASE) else None


def _due_line(invoice: Invoice, status: Status) -> str:
    """Under the amount due: by when."""
    if invoice.due_date is None:
        return f"due {invoice.payment_terms_days} days after issue"
    if status is Status.OVERDUE:
        return f"was due {format_date(invoice.due_date)} and is overdue"
    return f"due {format_date(invoice.due_date)}"


def render_invoice_html(invoice: Invoice, agency: Party, client: Party, *, today: date) -> str:
    """The invoice as HTML (what render_invoice_pdf lays out), every user-given text escaped."""
    status = invoice.status_on(today)
    payment_url = _payment_url(invoice, status)

    def money(amount: Decimal) -> str:
        return format_money(amount, invoice.currency)

    return _TEMPLATE.render(
        invoice=invoice,
        agency=agency,
        client=Party(client.name or invoice.client_name, client.email, client.address),
        title=f"Invoice {invoice.number}" if invoice.number else "Draft invoice",
        status=status,
        badge=BADGES.get(status),
        watermark=WATERMARKS.get(status),
        due_line=_due_line(invoice, status),
        period=format_period(invoice.period_start, invoice.period_end),
        items=[{"description": item.description, "quantity": format_quantity(item.quantity),
                "unit_price": money(item.unit_price), "amount": money(item.amount)}
               for item in invoice.items],
        subtotal=money(invoice.subtotal),
        tax_amount=money(invoice.tax_amount),
        total=money(invoice.total),
        amount_paid=money(invoice.amount_paid),
        amount_due=money(invoice.amount_due),
        payment_url=payment_url,
        payment_host=urlsplit(payment_url).hostname if payment_url else None,
        currency=invoice.currency.upper(),
    )


def render_invoice_pdf(invoice: Invoice, agency: Party, client: Party, *, today: date) -> bytes:
    """The invoice as an A4 PDF, as its client would receive it on `today` (which decides whether
    it reads overdue)."""
    return pdf.write_pdf(render_invoice_html(invoice, agency, client, today=today))
