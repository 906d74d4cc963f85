"""QuickBooks' pure rules: when a token is refreshed, how a Labs invoice becomes QuickBooks' lines
and body, what a query literal and a customer's name look like, how a payment becomes the lines
billing records (and their external ids), which way payments are read, the retry schedule."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from labs_common.testing.fake_quickbooks import parse_query
from labs_integrations.domain import quickbooks as qb

NOW = datetime(2026, 3, 10, 9, tzinfo=UTC)
CLIENT = uuid.uuid4()


def an_invoice(*items: tuple[str, str, str, str], tax: str = "0", rate: str = "") -> qb.LabsInvoice:
    return qb.LabsInvoice(
        invoice_id=uuid.uuid4(), number="INV-0007", client_id=CLIENT, client_name="Acme: Labs",
        currency="EUR", issue_date=date(2026, 3, 9), due_date=date(2026, 4, 8),
        items=tuple(qb.LabsItem(d, Decimal(q), Decimal(p), Decimal(a)) for d, q, p, a in items),
        tax_rate=rate, tax_amount=Decimal(tax), total=Decimal("0"))


def test_a_token_is_refreshed_with_less_than_five_minutes_left():
    assert not qb.needs_refresh({"expires_at": (NOW + timedelta(minutes=6)).timestamp()}, NOW)
    assert qb.needs_refresh({"expires_at": (NOW + timedelta(minutes=4)).timestamp()}, NOW)
    assert qb.needs_refresh({}, NOW) and qb.needs_refresh({"expires_at": "soon"}, NOW)


def test_query_literals_escape_quotes_and_backslashes_and_the_fake_reads_them_back():
    name = "O'Brien \\ Sons"
    statement = qb.customer_query(name)
    assert statement == "select * from Customer where DisplayName = 'O\\'Brien \\\\ Sons'"
    parsed = parse_query(statement + " STARTPOSITION 1 MAXRESULTS 1")
    assert parsed.where == [("DisplayName", "=", name)] and parsed.limit == 1
    assert qb.payments_query(NOW).endswith(
        "MetaData.LastUpdatedTime > '2026-03-10T09:00:00+00:00' orderby MetaData.LastUpdatedTime")


def test_a_customer_is_named_for_the_client_on_one_line_without_colons():
    assert qb.display_name("Acme: Labs\nGmbH", CLIENT) == "Acme Labs GmbH"
    assert qb.display_name("  ", CLIENT) == f"Labs client {str(CLIENT)[:8]}"
    assert len(qb.display_name("x" * 900, None)) == qb.MAX_DISPLAY_NAME


def test_lines_carry_quantity_and_price_only_when_they_make_the_amount_and_tax_is_a_line():
    invoice = an_invoice(("Design, 2.5 h", "2.5", "150.00", "375.00"),
                         ("Support", "1.33", "150.10", "199.63"), tax="114.93", rate="20")
    lines = qb.invoice_lines(invoice, "1")
    assert lines[0]["SalesItemLineDetail"] == {"ItemRef": {"value": "1"}, "Qty": 2.5,
                                               "UnitPrice": 150.0}
    assert lines[0]["Amount"] == 375.0 and lines[0]["Description"] == "Design, 2.5 h"
    # 1.33 x 150.10 = 199.633: QuickBooks would refuse the line, so only its amount goes.
    assert lines[1]["SalesItemLineDetail"] == {"ItemRef": {"value": "1"}}
    assert lines[1]["Amount"] == 199.63
    assert (lines[2]["Description"], lines[2]["Amount"]) == ("Tax (20%)", 114.93)
    body = qb.invoice_body(invoice, "58", "1")
    assert (body["DocNumber"], body["CustomerRef"], body["TxnDate"], body["DueDate"]) == (
        "INV-0007", {"value": "58"}, "2026-03-09", "2026-04-08")
    assert body["CurrencyRef"] == {"value": "EUR"}


def test_the_pushed_invoice_survives_its_json_row():
    invoice = an_invoice(("Design", "2.5", "150.00", "375.00"), tax="75.00", rate="20")
    assert qb.LabsInvoice.from_json(invoice.to_json()) == invoice
    assert qb.client_key(invoice) == str(CLIENT)
    nameless = qb.LabsInvoice.from_json({**invoice.to_json(), "client_id": None})
    assert qb.client_key(nameless) == "name:Acme: Labs"


def test_a_payment_gives_one_line_per_invoice_it_pays_and_deleted_ones_are_set_apart():
    payment = {"Id": "77", "TxnDate": "2026-03-12", "Line": [
        {"Amount": 375.0, "LinkedTxn": [{"TxnId": "130", "TxnType": "Invoice"}]},
        {"Amount": 100.5, "LinkedTxn": [{"TxnId": "131", "TxnType": "Invoice"}]},
        {"Amount": 20, "LinkedTxn": [{"TxnId": "9", "TxnType": "CreditMemo"}]},
        {"Amount": 0, "LinkedTxn": [{"TxnId": "132", "TxnType": "Invoice"}]}]}
    read = qb.read_payments([payment, {"Id": "78", "status": "Deleted"},
                             {"Id": "79", "TxnDate": "not a date"}])
    assert [(line.quickbooks_invoice_id, line.amount) for line in read.lines] == [
        ("130", Decimal("375.0")), ("131", Decimal("100.5"))]
    assert read.deleted == ["78"]
    line = read.lines[0]
    assert line.external_id("9130") == "quickbooks:9130:77:130"
    assert line.paid_at == datetime(2026, 3, 12, 12, tzinfo=UTC)
    assert line.reference == "QuickBooks payment 77"


def test_payments_are_read_by_cdc_within_its_thirty_days_and_by_query_beyond():
    assert qb.read_by_cdc(NOW - timedelta(days=29), NOW)
    assert not qb.read_by_cdc(NOW - timedelta(days=30), NOW)
    assert not qb.read_by_cdc(NOW - timedelta(days=29, hours=23, minutes=30), NOW)


def test_pushes_are_retried_doubling_from_the_base_and_capped():
    base = timedelta(minutes=1)
    assert [qb.push_retry_delay(n, base) for n in (1, 2, 3)] == [
        timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert qb.push_retry_delay(30, base) == qb.PUSH_RETRY_CAP
