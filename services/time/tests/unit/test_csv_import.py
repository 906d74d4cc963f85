"""CSV formats are told apart by their header; rows parse or explain what is wrong; the reader
streams chunks, including quoted fields that span lines and chunk boundaries."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from labs_time.domain.csv_formats import (
    HARVEST_EXPORT,
    HARVEST_IMPORT,
    KIMAI_EXPORT,
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
    error = parse_row(detect(HARVEST_8), cells, 7, UTC_ZONE)
    assert isinstance(error, RowError)
    assert (error.row, error.field) == (7, field) and error.message


async def _chunks(data: bytes, size: int):
    for i in range(0, len(data), size):
        yield data[i:i + size]


@pytest.mark.parametrize("size", [1, 3, 7, 1000])
async def test_the_reader_streams_across_chunk_boundaries(size):
    data = '\ufeffDate,Notes\n2026-01-05,"two\nlines, and ""quotes"""\n2026-01-06,plain'
    rows = [row async for block in csv_blocks(_chunks(data.encode(), size)) for row in block]
    assert rows == [["Date", "Notes"], ["2026-01-05", 'two\nlines, and "quotes"'],
                    ["2026-01-06", "plain"]]
