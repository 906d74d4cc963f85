"""A report as a file: CSV (the csv module, UTF-8, a header row then the rows and the totals) or
PDF (templates/report.html, Jinja2 with autoescaping, laid out on A4 landscape by WeasyPrint).

CSV cells are made safe for spreadsheets: a cell whose text starts with `=`, `+`, `-`, `@`, a
tab or a carriage return would be read as a formula by Excel, LibreOffice or Google Sheets
(a project or client name is user input), so it gets a leading apostrophe, which those
programs show as text and do not evaluate. That includes negative numbers (`'-120.00`): the
file is for reading and re-importing as text, never for formulas to run.

Nothing is fetched while rendering the PDF: the template carries its own CSS (after Labs' print
style sheet), its fonts are the system's (DejaVu Sans; the image installs fonts-dejavu-core), and
labs_common.pdf's renderer, billing's invoices' too, refuses every URL but `data:`."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from labs_common import pdf

TEMPLATES = Path(__file__).parent / "templates"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EN_DASH = "\u2013"
CSV_TYPE = "text/csv"
PDF_TYPE = "application/pdf"

Cell = str | Decimal | int | bool | date | None


@dataclass(frozen=True)
class Column:
    # The CSV header (the JSON field's name); the PDF shows `title`.
    key: str
    title: str
    numeric: bool = False


@dataclass(frozen=True)
class ReportTable:
    """What both formats show: a title, the range, the columns, the rows and the totals."""

    title: str
    # File name without its extension: margin-summary-2026-11-01-2026-11-30.
    name: str
    columns: tuple[Column, ...]
    rows: list[tuple[Cell, ...]]
    generated: date
    subtitle: str = ""
    totals: tuple[Cell, ...] | None = None
    # The currency of the totals, when they are money.
    currency: str = ""
    notes: tuple[str, ...] = ()


def neutralize(text: str) -> str:
    """`text` as a spreadsheet shows it without evaluating it (the module's docstring)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def plain(value: Cell) -> str:
    """A cell as CSV carries it: decimals as they are, dates ISO, booleans true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_csv(table: ReportTable) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([neutralize(c.key) for c in table.columns])
    for row in table.rows:
        writer.writerow([neutralize(plain(cell)) for cell in row])
    if table.totals is not None:
        writer.writerow([neutralize(plain(cell)) for cell in table.totals])
    return out.getvalue().encode("utf-8")


def format_date(day: date) -> str:
    """`7 May 2026`."""
    return f"{day.day} {day:%b %Y}"


def format_range(start: date, end: date) -> str:
    return f"{format_date(start)} {EN_DASH} {format_date(end)}"


def shown(value: Cell) -> str:
    """A cell as the PDF shows it: decimals with two places and thousands separators, dates
    as `7 May 2026`, booleans yes/no, nothing as an en dash."""
    if value is None or value == "":
        return EN_DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, date):
        return format_date(value)
    return str(value)


_ENV = Environment(loader=FileSystemLoader([TEMPLATES, pdf.TEMPLATES]), autoescape=True,
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_TEMPLATE = _ENV.get_template("report.html")


def to_html(table: ReportTable) -> str:
    return _TEMPLATE.render(
        title=table.title, subtitle=table.subtitle, generated=format_date(table.generated),
        currency=table.currency, columns=table.columns,
        rows=[[shown(c) for c in row] for row in table.rows],
        totals=[shown(c) if c != "" else "" for c in table.totals] if table.totals else None,
        notes=table.notes)


def to_pdf(table: ReportTable) -> bytes:
    return pdf.write_pdf(to_html(table))


def render(table: ReportTable, format: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of `table` as `format` (csv or pdf)."""
    if format == "pdf":
        return to_pdf(table), PDF_TYPE, f"{table.name}.pdf"
    return to_csv(table), CSV_TYPE, f"{table.name}.csv"
