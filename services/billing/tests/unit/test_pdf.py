"""The invoice PDF, read back with pypdf: what a client must see is in its text (number, parties,
every item, the totals as formatted, the amount due), the pay link is a real link, user input is
shown as text and never run as markup, drafts and long invoices render as such, and nothing is
fetched while rendering."""

from __future__ import annotations

import io
import uuid
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from labs_billing.adapters.pdf import (
    Party,
    format_money,
    format_period,
    format_quantity,
    pdf_filename,
    render_invoice_pdf,
)
from labs_billing.domain.model import Invoice, Item, ItemKind, Status
from labs_common import pdf
from labs_common.testing.fresh_python import fresh_python

TODAY = date(2026, 4, 20)
DASH, MINUS = "\u2013", "\u2212"  # en dash in periods, minus sign before the amount paid
PAY_URL = "https://invoice.stripe.com/i/acct_1Nv0FGQ9RKHgCVdK/test_YWNjdF8xTnYwRkdROVJL?s=ap"
AGENCY = Party("Brightline Studio & Co.", "billing@brightline.studio",
               "Kastanienallee 12\n10435 Berlin\nGermany")
CLIENT = Party("Northwind Traders Inc.", "accounts@northwind.example",
               "1200 Harbor Blvd, Suite 400\nSeattle, WA 98101")
ITEMS = [
    ("Discovery workshop and stakeholder interviews", "12.5", "150.00"),
    ("UX design: wireframes and clickable prototype (checkout flow, account area)", "38",
     "135.00"),
    ("Frontend development — React & TypeScript", "64.25", "140.00"),
    ("Cloud hosting, March (passed through at cost)", "1", "412.37"),
]
NOTES = "Thank you for your business!\n<script>alert('x')</script> <b>not bold</b>"


def item(description: str, quantity: str, unit_price: str) -> Item:
    return Item(uuid.uuid4(), ItemKind.MANUAL, description, Decimal(quantity),
                Decimal(unit_price))


def invoice(**changes) -> Invoice:
    fields = dict(
        id=uuid.UUID("1a2b3c4d-0000-4000-8000-000000000007"), org_id=uuid.uuid4(),
        client_id=uuid.uuid4(), project_id=uuid.uuid4(), currency="USD",
        status=Status.PARTIALLY_PAID, items=[item(*row) for row in ITEMS],
        tax_rate=Decimal("8.875"), amount_paid=Decimal("5000.00"), number="INV-0007",
        issue_date=date(2026, 4, 1), due_date=date(2026, 5, 1),
        period_start=date(2026, 3, 1), period_end=date(2026, 3, 31), notes=NOTES,
        client_name="Northwind", project_name="Checkout redesign", payment_url=PAY_URL)
    return Invoice(**(fields | changes))


def read(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf))


def text_of(reader: PdfReader) -> str:
    """The document's text, its whitespace (line breaks in wrapped cells) made single spaces."""
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def links(reader: PdfReader) -> list[str]:
    return [annotation.get_object()["/A"]["/URI"]
            for page in reader.pages for annotation in page.get("/Annots") or []
            if "/URI" in annotation.get_object().get("/A", {})]


@pytest.fixture(scope="module", name="issued")
def issued_fixture() -> PdfReader:
    return read(render_invoice_pdf(invoice(), AGENCY, CLIENT, today=TODAY))


def test_an_invoice_shows_its_number_parties_items_and_totals(issued):
    text = text_of(issued)
    assert len(issued.pages) == 1
    for expected in ("INVOICE", "INV-0007", AGENCY.name, "billing@brightline.studio",
                     "10435 Berlin", CLIENT.name, "Seattle, WA 98101", "Checkout redesign",
                     "1 Apr 2026", "1 May 2026", f"1{DASH}31 Mar 2026"):
        assert expected in text
    for description, _, _ in ITEMS:
        assert description in text
    # 1,875 + 5,130 + 8,995 + 412.37 = 16,412.37; tax 8.875% of it = 1,456.5978... = 1,456.60.
    for row in ("12.5 $150.00 $1,875.00", "38 $135.00 $5,130.00", "64.25 $140.00 $8,995.00",
                "1 $412.37 $412.37"):
        assert row in text
    assert "Subtotal $16,412.37" in text
    assert "Tax (8.875%) $1,456.60" in text
    assert "Total $17,868.97" in text
    assert f"Amount paid {MINUS}$5,000.00" in text
    assert "Amount due $12,868.97" in text
    assert "$12,868.97 due 1 May 2026" in text  # the summary above the items
    assert "All amounts in USD" in text
    assert issued.metadata.title == "Invoice INV-0007 from Brightline Studio & Co."


def test_it_links_to_the_online_payment(issued):
    assert "Pay online" in text_of(issued)
    assert links(issued) == [PAY_URL]


def test_user_input_is_text_not_markup(issued):
    text = text_of(issued)
    assert "<script>alert('x')</script>" in text
    assert "<b>not bold</b>" in text
    assert "Brightline Studio & Co." in text  # escaped once, not shown as &amp;


def test_a_draft_says_so_and_is_named_by_its_id():
    draft = invoice(status=Status.DRAFT, number=None, issue_date=None, due_date=None,
                    amount_paid=Decimal(0), payment_url=None)
    reader = read(render_invoice_pdf(draft, AGENCY, CLIENT, today=TODAY))
    text = text_of(reader)
    assert "DRAFT" in text and "INVOICE" not in text
    assert "Amount due $17,868.97" in text
    assert "due 30 days after issue" in text
    assert links(reader) == []
    assert pdf_filename(draft) == "draft-1a2b3c4d.pdf"


@pytest.mark.parametrize(("changes", "today", "badge", "payable"), [
    ({}, date(2026, 5, 2), "OVERDUE", True),
    ({"status": Status.PAID, "amount_paid": Decimal("17868.97")}, TODAY, "PAID", False),
    ({"status": Status.VOID, "amount_paid": Decimal(0)}, TODAY, "VOID", False),
])
def test_the_status_badge_and_whether_it_can_still_be_paid(changes, today, badge, payable):
    reader = read(render_invoice_pdf(invoice(**changes), AGENCY, CLIENT, today=today))
    text = text_of(reader)
    assert badge in text
    assert ("Pay online" in text) is payable
    assert (links(reader) == [PAY_URL]) is payable


def test_a_sent_invoice_before_its_due_date_has_no_badge(issued):
    text = text_of(issued)
    assert not {"OVERDUE", "PAID", "VOID", "DRAFT"} & set(text.split())


def test_only_a_web_address_becomes_a_link():
    sneaky = invoice(payment_url="javascript:alert(1)")
    reader = read(render_invoice_pdf(sneaky, AGENCY, CLIENT, today=TODAY))
    assert links(reader) == []
    assert "Pay online" not in text_of(reader)


def test_a_long_invoice_spans_pages_repeating_the_table_header():
    rows = [item(f"Support ticket #{1000 + n}: bug fix", "1.5", "120.00") for n in range(120)]
    reader = read(render_invoice_pdf(invoice(items=rows), AGENCY, CLIENT, today=TODAY))
    assert len(reader.pages) > 1
    for page in reader.pages:
        assert "DESCRIPTION QUANTITY UNIT PRICE AMOUNT" in " ".join(page.extract_text().split())
    text = text_of(reader)
    assert "Support ticket #1000: bug fix" in text and "Support ticket #1119: bug fix" in text
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in text
    assert "Subtotal $21,600.00" in text  # 120 items of 1.5 at 120


def test_the_renderer_fetches_data_urls_only():
    fetcher = pdf.url_fetcher()
    for url in ("https://example.com/logo.png", "http://169.254.169.254/", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher(url)
    assert fetcher("data:text/plain,ok").read() == b"ok"


def test_markup_in_user_input_loads_nothing(monkeypatch):
    """An <img> or stylesheet in a description is text; were it markup, the fetcher would be
    asked for it."""
    fetcher = pdf.url_fetcher()
    asked = []
    monkeypatch.setattr(type(fetcher), "fetch", lambda self, url, headers=None: asked.append(url))
    hostile = invoice(items=[item('<img src="https://evil.example/x.png">'
                                  '<link rel="stylesheet" href="file:///etc/passwd">', "1", "1")])
    text = text_of(read(render_invoice_pdf(hostile, AGENCY, CLIENT, today=TODAY)))
    assert '<img src="https://evil.example/x.png">' in text
    assert asked == []


def test_filenames():
    assert pdf_filename(invoice()) == "INV-0007.pdf"
    assert pdf_filename(invoice(number="ACME/2026 #12")) == "ACME-2026--12.pdf"


@pytest.mark.parametrize(("amount", "currency", "expected"), [
    ("1234567.5", "USD", "$1,234,567.50"),
    ("0.5", "eur", "€0.50"),
    ("-20", "GBP", "-£20.00"),
    ("1234.5", "CHF", "1,234.50 CHF"),
])
def test_money_has_thousands_separators_cents_and_its_currency(amount, currency, expected):
    assert format_money(Decimal(amount), currency) == expected


def test_quantities_and_periods_read_as_written():
    assert [format_quantity(Decimal(q)) for q in ("12.50", "100", "1200", "0.25", "0")] == [
        "12.5", "100", "1,200", "0.25", "0"]
    assert format_period(date(2026, 3, 15), date(2026, 4, 14)) == f"15 Mar {DASH} 14 Apr 2026"
    assert format_period(date(2025, 12, 1), date(2026, 1, 31)) == f"1 Dec 2025 {DASH} 31 Jan 2026"
    assert format_period(None, date(2026, 1, 31)) == "31 Jan 2026"


def test_a_service_loads_weasyprint_with_its_first_pdf_not_at_start():
    # WeasyPrint's import is ~2 s of CPU and ~30 MiB: an idle billing process has not paid it,
    # its first render does. In a fresh process, so that no other test has loaded it already.
    script = (
        "import sys\n"
        "import labs_billing.main\n"
        "from labs_common import pdf\n"
        "assert 'weasyprint' not in sys.modules\n"
        "assert pdf.write_pdf('<p>Labs</p>').startswith(b'%PDF')\n"
        "print('weasyprint' in sys.modules)\n"
    )
    printed = fresh_python(script, timeout=180)
    assert printed.strip().endswith("True"), printed
