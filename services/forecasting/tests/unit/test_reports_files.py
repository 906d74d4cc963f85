"""Report files: CSV cells a spreadsheet would run as formulas are neutralized, the header row
names the JSON fields, and the PDF's HTML escapes user input and fetches nothing."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from labs_forecasting.adapters.report_files import (
    Column,
    ReportTable,
    neutralize,
    render,
    to_csv,
    to_html,
)


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx",
                                  "=HYPERLINK(\"http://evil\")", "-120.00"])
def test_a_cell_a_spreadsheet_would_evaluate_gets_an_apostrophe(text):
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("text", ["Website", "", "12.50", "a=b", " =x", "'quoted", "Ünïcode"])
def test_other_cells_are_left_as_they_are(text):
    assert neutralize(text) == text


def table(**overrides) -> ReportTable:
    values = {
        "title": "Margin summary", "name": "margin-summary-2026-11-01-2026-11-30",
        "columns": (Column("name", "Project"), Column("hours", "Hours", True),
                    Column("billable", "Billable"), Column("date", "Date"),
                    Column("margin_percent", "Margin %", True)),
        "rows": [("=cmd|' /C calc'!A0", Decimal("7.50"), True, date(2026, 11, 3), None),
                 ("Café <b>bold</b> & co", Decimal("-1.25"), False, date(2026, 11, 4),
                  Decimal("12.30"))],
        "totals": ("Total", Decimal("6.25"), "", "", Decimal("-3.00")),
        "generated": date(2026, 12, 1),
    }
    return ReportTable(**{**values, **overrides})


def test_the_csv_is_utf8_with_a_header_row_and_its_totals_last():
    content = to_csv(table())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    assert rows[0] == ["name", "hours", "billable", "date", "margin_percent"]
    assert rows[1] == ["'=cmd|' /C calc'!A0", "7.50", "true", "2026-11-03", ""]
    assert rows[2] == ["Café <b>bold</b> & co", "'-1.25", "false", "2026-11-04", "12.30"]
    assert rows[3] == ["Total", "6.25", "", "", "'-3.00"]
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def test_a_header_is_neutralized_too():
    content = to_csv(table(columns=(Column("=evil", "x"),), rows=[], totals=None))
    assert content.decode("utf-8").splitlines() == ["'=evil"]


def test_the_file_is_named_after_the_report_and_its_range():
    content, content_type, filename = render(table(), "csv")
    assert (content_type, filename) == ("text/csv", "margin-summary-2026-11-01-2026-11-30.csv")
    assert content.startswith(b"name,")


def test_the_pdf_html_escapes_names_and_shows_the_totals_row():
    html = to_html(table())
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "Café" in html and "&amp; co" in html
    assert 'class="totals"' in html and "6.25" in html
    assert "A4 landscape" in html and "1 Dec 2026" in html
    # No address to fetch anything from.
    assert "http" not in html.lower() and "url(" not in html


def test_an_empty_report_says_so():
    assert "Nothing in this range." in to_html(table(rows=[]))
