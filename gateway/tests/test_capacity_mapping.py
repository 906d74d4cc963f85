"""How the capacity routes translate JSON to the service's protos and back."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs_gateway.schemas.capacity import AllocationCreate, ResourceUpdate
from labs_gateway.schemas.capacity_mapping import (
    dashboard_week,
    decimal_text,
    resource_public,
    weekdays_to_proto,
)


def test_numbers_reach_the_service_as_the_decimals_the_client_typed():
    assert decimal_text(37.5) == "37.5"
    assert decimal_text(0.1) == "0.1"
    assert decimal_text(40) == "40"
    assert decimal_text("150.00") == "150.00"


def test_weekdays_are_names_in_json_and_iso_numbers_in_protos():
    assert weekdays_to_proto(["monday", "sunday"]) == [1, 7]
    shown = resource_public(pb.Resource(
        id="r", working_days=[1, 5], capacity_hours_per_week="40.00",
        seniority_level=pb.SENIORITY_LEVEL_JUNIOR,
    ))
    assert shown.working_days == ["monday", "friday"] and shown.seniority_level == "junior"
    assert shown.capacity_hours_per_week == 40.0


def test_dates_are_parsed_from_json_strings_and_nulls_refused_where_meaningless():
    body = AllocationCreate.model_validate({
        "resource_id": "9b2f8c4e-1a0d-4f6e-8f0a-2f4c1d7e9a31",
        "project_id": "9b2f8c4e-1a0d-4f6e-8f0a-2f4c1d7e9a31",
        "allocated_hours": 8, "start_date": "2027-01-04", "end_date": "2027-01-10",
    })
    assert body.start_date.isoformat() == "2027-01-04"
    with pytest.raises(ValidationError):
        ResourceUpdate.model_validate({"name": None})
    assert ResourceUpdate.model_validate({"email": None}).model_fields_set == {"email"}


def test_the_dashboard_counts_people_given_more_than_they_have():
    week = pb.CapacityWeek(
        week_start="2027-01-04", total_available_hours="64.00", total_allocated_hours="70.00",
        total_tentative_hours="0.00", utilization_percent="109.4",
        by_resource=[
            pb.ResourceWeek(resource_id="a", name="A", available_hours="24.00",
                            allocated_hours="30.00", tentative_hours="0.00"),
            pb.ResourceWeek(resource_id="b", name="B", available_hours="40.00",
                            allocated_hours="40.00", tentative_hours="0.00"),
        ],
    )
    shown = dashboard_week(week)
    assert shown.over_allocated_resources == 1 and shown.total_hours == 64.0
    assert shown.by_resource[0].utilization_percent is None
