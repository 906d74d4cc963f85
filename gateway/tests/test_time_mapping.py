"""The time area's JSON ⇄ proto details: hours stay the decimals the client sent, instants need
an offset, and entries read back with nulls where nothing is known."""

import pytest

from labs.time.v1 import time_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_gateway.schemas.time_mapping import entry_public, hours_text, instant, money_text


def test_hours_keep_the_decimals_the_client_sent():
    assert hours_text(1.1) == "1.1"
    assert hours_text(2) == "2.0"
    assert money_text("84.20") == "84.20" and money_text(84.2) == "84.2"


def test_instants_need_an_offset_and_name_their_field():
    assert instant("2026-03-04T09:00:00Z", "started_at").seconds > 0
    with pytest.raises(InvalidArgument) as error:
        instant("2026-03-04T09:00:00", "started_at")
    assert error.value.field_errors[0].field == "started_at"
    with pytest.raises(InvalidArgument):
        instant("soon", "ended_at")


def test_an_entry_without_rates_reads_null_rates_and_says_why():
    public = entry_public(pb.TimeEntry(
        id="e", project_id="p", user_id="u", date_worked="2026-03-04", hours="1.50",
        rounded_hours="1.50", billable=True, rate_source="none", status=pb.ENTRY_STATUS_DRAFT,
        source="manual"))
    assert (public.hours, public.billable_rate, public.cost_rate, public.rate_source) == \
        (1.5, None, None, "none")
    assert public.task_id is None and public.status == "draft"
