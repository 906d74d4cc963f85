"""The one proto ⇄ JSON mapping, without a server: names, enums, numbers, dates, nulls, hidden
fields, and what requests become."""

from __future__ import annotations

import pytest
from google.protobuf import descriptor_pool
from pydantic import ValidationError

from labs.capacity.v1 import capacity_service_pb2 as capacity
from labs.identity.v1 import identity_service_pb2 as identity
from labs.projects.v1 import projects_service_pb2 as projects
from labs.time.v1 import time_service_pb2 as time
from labs_common.auth.roles import Role
from labs_common.errors import InvalidArgument
from labs_common.visibility import Reader, field_readers
from labs_gateway.routes.capacity_allocations import _dashboard_week
from labs_gateway.routes.files import _attachment
from labs_gateway.schemas.capacity import (
    AllocationCreate,
    ResourceList,
    ResourcePublic,
    ResourceUpdate,
)
from labs_gateway.schemas.identity import OrganizationUpdate, SessionPublic
from labs_gateway.schemas.projects import ProjectCreate
from labs_gateway.schemas.proto_json import (
    decimal_text,
    enum_name,
    instant,
    to_message,
    to_public,
)
from labs_gateway.schemas.public import PUBLIC_MODELS, public_json
from labs_gateway.schemas.tasks import TaskPublic, TaskUpdate
from labs_gateway.schemas.time import TimeEntryCreate, TimeEntryPublic

ME = "11111111-1111-1111-1111-111111111111"


def reader(role: Role) -> Reader:
    return Reader(role=role, user_id=ME)


def test_numbers_reach_services_as_the_decimals_the_client_typed():
    assert [decimal_text(v) for v in (1.1, 0.1, 37.5, 40.0, 40, "150.00")] == \
        ["1.1", "0.1", "37.5", "40.0", "40", "150.00"]
    assert decimal_text(1e-05) == "0.00001"  # never exponent notation


def test_enums_are_lowercase_names_without_their_prefix():
    status = projects.ProjectStatus.DESCRIPTOR
    assert enum_name(status, projects.PROJECT_STATUS_ON_HOLD) == "on_hold"
    assert enum_name(status, 0) is None
    message = to_message(projects.ListProjectsRequest, {"status": "on_hold", "q": ""})
    assert message.status == projects.PROJECT_STATUS_ON_HOLD


def test_instants_need_an_offset_and_name_their_field():
    assert instant("2026-03-04T09:00:00Z", "started_at").seconds > 0
    with pytest.raises(InvalidArgument) as error:
        to_message(time.CreateTimeEntryRequest, {"started_at": "2026-03-04T09:00:00"})
    assert error.value.field_errors[0].field == "started_at"
    with pytest.raises(InvalidArgument):
        instant("soon", "ended_at")


def test_an_entry_reads_hours_as_numbers_and_nulls_where_nothing_is_known():
    shown = to_public(TimeEntryPublic, time.TimeEntry(
        id="e", project_id="p", user_id="u", date_worked="2026-03-04", hours="1.50",
        rounded_hours="1.50", billable=True, source="manual"))
    assert (shown.hours, shown.billable_rate, shown.cost_rate, shown.rate_source) == \
        (1.5, None, None, "none")
    assert shown.task_id is None and shown.status == "draft" and shown.started_at is None


def test_a_request_body_becomes_its_message():
    body = TimeEntryCreate.model_validate({"hours": 1.25, "notes": "n", "billable": False})
    message = to_message(time.CreateTimeEntryRequest, {"project_id": "p", **body.model_dump()})
    assert (message.hours, message.notes, message.task_id) == ("1.25", "n", "")
    assert message.HasField("billable") and not message.billable
    project = ProjectCreate.model_validate({"name": "Site", "status": "on_hold",
                                            "budget_hours": 12.5})
    request = to_message(projects.CreateProjectRequest,
                         {"project": project.model_dump(exclude={"client_name"})})
    assert request.project.status == projects.PROJECT_STATUS_ON_HOLD
    assert request.project.budget_hours == "12.5" and request.project.github_repo_url == ""


def test_null_clears_an_optional_string_but_leaves_other_optionals_unset():
    cleared = to_message(time.UpdateTimeEntryRequest, {"id": "e", "task_id": None})
    assert cleared.HasField("task_id") and cleared.task_id == ""
    changes = TaskUpdate.model_validate({"story_points": None, "type": "bug"})
    task = to_message(projects.Task, changes.model_dump(include=changes.model_fields_set))
    assert not task.HasField("story_points") and task.type == projects.TASK_TYPE_BUG
    zero = to_message(projects.Task, {"story_points": 0})
    assert zero.HasField("story_points")
    shown = to_public(TaskPublic, projects.Task(id="t", status=projects.TASK_STATUS_DONE,
                                                priority=projects.PRIORITY_LOW,
                                                type=projects.TASK_TYPE_BUG))
    assert shown.story_points is None and shown.status == "done"


def test_weekdays_are_names_in_json_and_iso_numbers_in_protos():
    update = ResourceUpdate.model_validate({"working_days": ["monday", "sunday"]})
    assert list(to_message(capacity.Resource, update.model_dump(
        include=update.model_fields_set)).working_days) == [1, 7]
    shown = public_json(capacity.Resource(
        id="r", working_days=[1, 5], capacity_hours_per_week="40.00", cost_rate="70.00",
        seniority_level=capacity.SENIORITY_LEVEL_JUNIOR), reader(Role.MANAGER))
    assert shown["working_days"] == ["monday", "friday"] and shown["seniority_level"] == "junior"
    assert shown["capacity_hours_per_week"] == 40.0 and shown["cost_rate"] == "70.00"


def test_a_field_the_reader_may_not_see_is_absent_not_null():
    resource = capacity.Resource(id="r", billing_rate="150.00", cost_rate="70.00")
    assert "cost_rate" not in public_json(resource, reader(Role.MEMBER))
    listed = ResourceList(resources=[to_public(ResourcePublic, resource, reader(Role.MEMBER))],
                          next_cursor=None)
    again = ResourceList.model_validate(listed.model_dump())  # as FastAPI re-validates
    assert "cost_rate" not in again.model_dump(mode="json")["resources"][0]
    assert again.model_dump(mode="json")["resources"][0]["billing_rate"] == "150.00"


def test_every_field_some_readers_may_not_see_is_optional_in_its_model():
    """So OpenAPI does not promise a key that a reader's object leaves out."""
    for name, model in PUBLIC_MODELS.items():
        for field in descriptor_pool.Default().FindMessageTypeByName(name).fields:
            if field_readers(field) and field.name in model.model_fields:
                assert not model.model_fields[field.name].is_required(), (name, field.name)


def test_sessions_and_organizations_map_nested_messages_and_structs():
    session = identity.Session(user=identity.User(id="u", email="a@b.test"),
                               role=identity.ROLE_OWNER, access_token="t", expires_in=60)
    session.organization.settings.update({"rounding": {"minutes": 15}})
    shown = to_public(SessionPublic, session)
    assert shown.role == "owner" and shown.token_type == "Bearer"
    assert shown.organization.settings == {"rounding": {"minutes": 15}}
    update = OrganizationUpdate.model_validate({"settings": {"a": 1}})
    request = to_message(identity.UpdateOrganizationRequest, {
        "organization": update.model_dump(include=update.model_fields_set),
        "update_mask": ["settings"]})
    assert request.organization.settings["a"] == 1 and list(request.update_mask.paths) == \
        ["settings"]


def test_dates_are_parsed_from_json_strings_and_nulls_refused_where_meaningless():
    body = AllocationCreate.model_validate({
        "resource_id": "9b2f8c4e-1a0d-4f6e-8f0a-2f4c1d7e9a31",
        "project_id": "9b2f8c4e-1a0d-4f6e-8f0a-2f4c1d7e9a31",
        "allocated_hours": 8, "start_date": "2027-01-04", "end_date": "2027-01-10",
    })
    assert to_message(capacity.Allocation, body.model_dump()).start_date == "2027-01-04"
    with pytest.raises(ValidationError):
        ResourceUpdate.model_validate({"name": None})
    assert ResourceUpdate.model_validate({"email": None}).model_fields_set == {"email"}


def test_the_dashboard_counts_people_given_more_than_they_have():
    week = capacity.CapacityWeek(
        week_start="2027-01-04", total_available_hours="64.00", total_allocated_hours="70.00",
        total_tentative_hours="0.00", utilization_percent="109.4",
        by_resource=[
            capacity.ResourceWeek(resource_id="a", name="A", available_hours="24.00",
                                  allocated_hours="30.00", tentative_hours="0.00"),
            capacity.ResourceWeek(resource_id="b", name="B", available_hours="40.00",
                                  allocated_hours="40.00", tentative_hours="0.00"),
        ],
    )
    shown = _dashboard_week(week)
    assert shown.over_allocated_resources == 1 and shown.total_hours == 64.0
    assert shown.utilization_percent == 109.4
    assert shown.by_resource[0].utilization_percent is None


def test_download_names_cannot_break_out_of_the_header():
    header = _attachment('Résumé "final".pdf')
    assert header.startswith('attachment; filename="R_sum_ _final_.pdf"')
    assert "filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf" in header


def test_openapi_shows_restricted_fields_as_optional(client):
    schemas = client._transport.app.openapi()["components"]["schemas"]
    resource = schemas["ResourcePublic"]
    assert "cost_rate" in resource["properties"] and "cost_rate" not in resource["required"]
    assert "billing_rate" in resource["required"]
