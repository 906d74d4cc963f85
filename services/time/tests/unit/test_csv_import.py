"""CSV formats are told apart by their header; rows parse or explain everything that is wrong
with them at once; Harvest's Hours Rounded and Approved? are read; the reader streams chunks,
including quoted fields that span lines and chunk boundaries."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from labs_time.domain.csv_formats import (
    HARVEST_EXPORT,
    HARVEST_IMPORT,
    KIMAI_EXPORT,
    BadRow,
    ParsedRow,
    RowError,
    detect,
    parse_row,
)
from labs_time.service_layer.import_rows import csv_blocks

HARVEST_8 = ["Date", "Client", "Project", "Task", "Notes", "Hours", "First name", "Last name"]
HARVEST_DETAILED = ["Date", "Client", "Project", "Project Code", "Task", "Notes", "Hours",
                    "Hours Rounded", "Billable?", "Invoiced?", "Approved?", "First Name",
                    "Last Name", "Roles", "Employee?", "Billable Rate", "Billable Amount",
                    "Cost Rate", "Cost Amount", "Currency", "External Reference URL"]
KIMAI = ["Date", "From", "To", "Duration", "Rate", "User", "Name", "E-mail", "Customer",
         "Project", "Activity", "Description", "Exported", "Billable", "Tags", "Hourly rate"]
UTC_ZONE = ZoneInfo("UTC")


@pytest.mark.parametrize(("header", "expected"), [
    (HARVEST_8, HARVEST_IMPORT),
    ([h.upper() for h in HARVEST_8], HARVEST_IMPORT),
    (HARVEST_DETAILED, HARVEST_EXPORT),
    (KIMAI, KIMAI_EXPORT),
])
def test_formats_are_detected_by_header(header, expected):
    assert detect(header).format == expected


def test_an_unknown_header_is_no_format():
    assert detect(["when", "what", "how long"]) is None


def test_a_harvest_import_row():
    parsed = parse_row(detect(HARVEST_8), ["2026-01-05", "Globex", "Site", "Design",
                                           "Wireframes", "1:30", "Ada", "Lovelace"], 1, UTC_ZONE)
    assert isinstance(parsed, ParsedRow)
    assert (parsed.date_worked, parsed.hours, parsed.first_name) == \
        (date(2026, 1, 5), Decimal("1.50"), "Ada")


def test_a_harvest_export_row_keeps_its_rates_and_billable_flag():
    row = ["2026-01-05", "Globex", "Site", "S-1", "Design", "", "2.0", "2.0", "No", "No", "Yes",
           "Ada", "Lovelace", "", "Yes", "150", "300", "60.5", "121", "US Dollar - USD", ""]
    parsed = parse_row(detect(HARVEST_DETAILED), row, 3, UTC_ZONE)
    assert parsed.billable is False
    assert (parsed.billable_rate, parsed.cost_rate, parsed.currency) == \
        (Decimal("150.00"), Decimal("60.50"), "USD")


def test_a_kimai_row_takes_its_span_in_the_org_timezone():
    row = ["2026-01-05", "09:00", "10:45", "1:45", "", "ada", "Ada Lovelace", "ADA@X.TEST",
           "Globex", "Site", "Dev", "Login page", "", "1", "", ""]
    parsed = parse_row(detect(KIMAI), row, 1, ZoneInfo("Europe/Berlin"))
    assert parsed.hours == Decimal("1.75") and parsed.email == "ada@x.test"
    assert parsed.started_at.astimezone(UTC) == datetime(2026, 1, 5, 8, tzinfo=UTC)


@pytest.mark.parametrize(("cells", "field"), [
    (["", "C", "Site", "T", "", "1", "Ada", "L"], "date"),
    (["05/40/2026", "C", "Site", "T", "", "1", "Ada", "L"], "date"),
    (["2026-01-05", "C", "", "T", "", "1", "Ada", "L"], "project"),
    (["2026-01-05", "C", "Site", "T", "", "0", "Ada", "L"], "hours"),
    (["2026-01-05", "C", "Site", "T", "", "25", "Ada", "L"], "hours"),
    (["2026-01-05", "C", "Site", "T", "", "lots", "Ada", "L"], "hours"),
    (["2026-01-05", "C", "Site", "T", "", "1", "", ""], "first_name"),
])
def test_bad_rows_say_which_column_and_why(cells, field):
    bad = parse_row(detect(HARVEST_8), cells, 7, UTC_ZONE)
    assert isinstance(bad, BadRow)
    [error] = bad.errors
    assert isinstance(error, RowError)
    assert (error.row, error.field) == (7, field) and error.message


def _detailed(**cells: str) -> list[str]:
    row = dict(zip(HARVEST_DETAILED, [
        "2026-01-05", "Globex", "Site", "S-1", "Design", "", "1.10", "1.25", "Yes", "No", "No",
        "Ada", "Lovelace", "", "Yes", "150", "165", "60", "66", "US Dollar - USD", ""],
        strict=True))
    row.update({name.replace("_", " "): value for name, value in cells.items()})
    return list(row.values())


def test_a_harvest_row_reports_every_wrong_column_at_once():
    row = _detailed(Date="yesterday", Project="", Hours="lots", **{
        "Hours Rounded": "-1", "Approved?": "maybe", "Billable Rate": "a lot",
        "Cost Rate": "-5", "Currency": "$"})
    bad = parse_row(detect(HARVEST_DETAILED), row, 4, UTC_ZONE)
    assert isinstance(bad, BadRow) and bad.row == 4
    assert [(e.row, e.field) for e in bad.errors] == [
        (4, "date"), (4, "project"), (4, "hours"), (4, "hours_rounded"), (4, "approved"),
        (4, "currency"), (4, "billable_rate"), (4, "cost_rate")]
    assert all(e.message for e in bad.errors)
    # Whom it names is kept, for the worker to check against the org too.
    assert (bad.first_name, bad.last_name, bad.project) == ("Ada", "Lovelace", "")


def test_an_import_row_with_several_problems_names_each():
    bad = parse_row(detect(HARVEST_8), ["31.02.2026", "C", "Site", "T", "", "0", "", ""], 2,
                    UTC_ZONE)
    assert [e.field for e in bad.errors] == ["date", "first_name", "hours"]
    assert bad.project == "Site"


def test_a_kimai_row_reports_its_date_span_and_person_together():
    row = ["someday", "9am", "10:45", "", "", "", "", "", "Globex", "", "Dev", "", "", "1", "",
           ""]
    bad = parse_row(detect(KIMAI), row, 3, UTC_ZONE)
    assert [e.field for e in bad.errors] == ["date", "project", "email", "from"]


def test_hours_rounded_and_approved_are_read_from_harvest():
    parsed = parse_row(detect(HARVEST_DETAILED), _detailed(**{"Approved?": "Yes"}), 1, UTC_ZONE)
    assert (parsed.hours, parsed.rounded_hours, parsed.approved) == \
        (Decimal("1.10"), Decimal("1.25"), True)
    plain = parse_row(detect(HARVEST_DETAILED), _detailed(**{"Hours Rounded": "",
                                                             "Approved?": "no"}), 1, UTC_ZONE)
    assert (plain.rounded_hours, plain.approved) == (None, False)
    # Harvest's import with an extra Approved? column honours it too.
    header = detect([*HARVEST_8, "Approved?"])
    assert header.format == HARVEST_IMPORT
    row = ["2026-01-05", "Globex", "Site", "Design", "", "2", "Ada", "Lovelace", "YES"]
    assert parse_row(header, row, 1, UTC_ZONE).approved is True


async def _chunks(data: bytes, size: int):
    for i in range(0, len(data), size):
        yield data[i:i + size]


@pytest.mark.parametrize("size", [1, 3, 7, 1000])
async def test_the_reader_streams_across_chunk_boundaries(size):
    data = '\ufeffDate,Notes\n2026-01-05,"two\nlines, and ""quotes"""\n2026-01-06,plain'
    rows = [row async for block in csv_blocks(_chunks(data.encode(), size)) for row in block]
    assert rows == [["Date", "Notes"], ["2026-01-05", 'two\nlines, and "quotes"'],
                    ["2026-01-06", "plain"]]


def test_a_harvest_currency_is_an_iso_4217_code_at_the_end_of_the_cell():
    for cell, code in (("US Dollar - USD", "USD"), ("eur", "EUR"), ("Euro - EUR  ", "EUR")):
        parsed = parse_row(detect(HARVEST_DETAILED), _detailed(Currency=cell), 2, UTC_ZONE)
        assert not isinstance(parsed, BadRow) and parsed.currency == code
    bad = parse_row(detect(HARVEST_DETAILED), _detailed(Currency="Nowhere Dollar - XYZ"), 2,
                    UTC_ZONE)
    assert isinstance(bad, BadRow) and [e.field for e in bad.errors] == ["currency"]
