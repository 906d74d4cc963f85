"""The visibility policy, read from the contract's options: who sees which records and fields."""

from __future__ import annotations

import pytest
from google.protobuf import json_format

from labs.capacity.v1 import capacity_service_pb2 as capacity
from labs.capacity.v1 import events_pb2 as capacity_events
from labs.identity.v1 import events_pb2 as identity_events
from labs.options.v1 import visibility_pb2 as options
from labs.projects.v1 import events_pb2 as project_events
from labs.projects.v1 import projects_service_pb2 as projects
from labs.time.v1 import events_pb2 as time_events
from labs.time.v1 import time_service_pb2 as time
from labs_common.auth.roles import Role
from labs_common.events.payloads import every_message
from labs_common.visibility import Reader, field_readers, may_read, redact, redact_json

ME = "11111111-1111-1111-1111-111111111111"
SOMEONE_ELSE = "22222222-2222-2222-2222-222222222222"


def reader(role: Role, financials_from: Role = Role.MANAGER) -> Reader:
    return Reader(role=role, user_id=ME, financials_from=financials_from)


def entry_event(user_id: str) -> time_events.EntryChanged:
    return time_events.EntryChanged(
        entry_id="e", user_id=user_id, hours="2", billable_rate="150", cost_rate="80",
        entry=time.TimeEntry(id="e", user_id=user_id, hours="2", billable_rate="150",
                             cost_rate="80"),
    )


@pytest.mark.parametrize(("role", "mine", "others"), [
    (Role.OWNER, True, True), (Role.ADMIN, True, True), (Role.MANAGER, True, True),
    (Role.MEMBER, True, False), (Role.VIEWER, False, False), (Role.CLIENT, False, False),
])
def test_time_entries_are_read_by_managers_and_by_the_member_they_belong_to(role, mine, others):
    assert may_read(entry_event(ME), reader(role)) is mine
    assert may_read(entry_event(SOMEONE_ELSE), reader(role)) is others


def test_a_record_without_user_belongs_to_the_actor_who_caused_it():
    completed = time_events.ImportCompleted(job_id="j")
    assert may_read(completed, reader(Role.MEMBER), actor_id=ME)
    assert not may_read(completed, reader(Role.MEMBER), actor_id=SOMEONE_ELSE)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER, Role.CLIENT])
def test_cost_rates_are_hidden_below_manager_at_any_depth(role):
    shown = redact(entry_event(ME), reader(role))
    assert shown.cost_rate == "" and shown.entry.cost_rate == ""
    assert shown.billable_rate == "150" and shown.entry.billable_rate == "150"

    rates = capacity_events.AllocationChanged(
        cost_rate="80", rates=[capacity.Rate(cost_rate="80", billing_rate="150")] * 2)
    shown = redact(rates, reader(role))
    assert shown.cost_rate == "" and [r.cost_rate for r in shown.rates] == ["", ""]
    assert [r.billing_rate for r in shown.rates] == ["150", "150"]


def test_redaction_copies_and_leaves_the_original_alone():
    event = entry_event(ME)
    redact(event, reader(Role.MEMBER))
    assert event.cost_rate == "80" and event.entry.cost_rate == "80"


def test_a_manager_sees_every_field_of_the_same_message():
    event = entry_event(SOMEONE_ELSE)
    assert redact(event, reader(Role.MANAGER)) is event


def test_internal_fields_are_for_staff_only():
    project = projects.Project(id="p", name="Site", billing_rate_override="200",
                               slack_channel_id="C1", github_repo_url="https://github.com/a/b")
    assert redact(project, reader(Role.VIEWER)) is project
    hidden = redact(project, reader(Role.CLIENT))
    assert (hidden.billing_rate_override, hidden.slack_channel_id, hidden.github_repo_url) == (
        "", "", "")
    assert hidden.name == "Site"


def test_json_payloads_lose_the_same_keys_as_messages():
    event = entry_event(ME)
    data = json_format.MessageToDict(event, preserving_proto_field_name=True)
    data["project_id"] = "p"  # keys the message does not declare are kept
    shown = redact_json(event.DESCRIPTOR, data, reader(Role.MEMBER))
    assert "cost_rate" not in shown and "cost_rate" not in shown["entry"]
    assert shown["billable_rate"] == "150" and shown["project_id"] == "p"
    assert redact_json(event.DESCRIPTOR, data, reader(Role.OWNER)) == data


@pytest.mark.parametrize(("message", "staff", "client"), [
    (project_events.TaskCreated(), True, True),
    (project_events.ClientCreated(), True, False),
    (capacity_events.ResourceCreated(), True, False),
    (identity_events.MemberLoggedIn(), False, False),
    (identity_events.SessionRevoked(), False, False),
])
def test_records_declare_their_readers(message, staff, client):
    assert may_read(message, reader(Role.VIEWER)) is staff
    assert may_read(message, reader(Role.CLIENT)) is client


def test_invitations_are_for_managers():
    assert may_read(identity_events.InvitationCreated(), reader(Role.MANAGER))
    assert not may_read(identity_events.InvitationCreated(), reader(Role.MEMBER))


def test_financial_fields_follow_the_organizations_setting():
    assert not reader(Role.VIEWER).may_read_field(options.FIELD_READERS_FINANCIALS)
    assert reader(Role.VIEWER, financials_from=Role.VIEWER).may_read_field(
        options.FIELD_READERS_FINANCIALS)
    assert not reader(Role.VIEWER, financials_from=Role.VIEWER).may_read_field(
        options.FIELD_READERS_MANAGER)
    client = Reader(role=Role.CLIENT, user_id=ME, financials_from=Role.VIEWER)
    assert not client.may_read_field(options.FIELD_READERS_FINANCIALS)


@pytest.mark.parametrize(("role", "anyones", "own"), [
    (Role.OWNER, {0, 1, 2, 3, 5}, {6}),
    (Role.MANAGER, {0, 1, 2, 3, 5}, {6}),
    (Role.MEMBER, {0, 1}, {2, 6}),
    (Role.VIEWER, {0, 1}, {6}),
    (Role.CLIENT, {0, 5}, {6}),
])
def test_readable_records_is_the_record_rule_for_queries(role, anyones, own):
    assert reader(role).readable_records() == (anyones, own)


def test_an_update_does_not_tell_who_may_not_see_a_field_that_it_changed():
    event = capacity_events.ResourceUpdated(
        resource=capacity.Resource(id="r", name="Mo", cost_rate="75"),
        changed_fields=["name", "cost_rate"])
    assert list(redact(event, reader(Role.MEMBER)).changed_fields) == ["name"]
    assert list(redact(event, reader(Role.MANAGER)).changed_fields) == ["name", "cost_rate"]
    data = json_format.MessageToDict(event, preserving_proto_field_name=True)
    assert redact_json(event.DESCRIPTOR, data, reader(Role.VIEWER))["changed_fields"] == ["name"]


FINANCIAL_WORDS = ("cost", "margin", "profit")


def test_every_cost_or_margin_field_in_the_contract_declares_its_readers():
    """A new cost or margin field is hidden from members and clients the day it is added: the
    contract must say who reads it, or this fails."""
    messages = every_message()
    assert {"labs.time.v1.TimeEntry", "labs.capacity.v1.Rate"} <= {m.full_name for m in messages}
    unmarked = [
        f"{descriptor.full_name}.{field.name}"
        for descriptor in messages
        for field in descriptor.fields
        if any(word in field.name for word in FINANCIAL_WORDS)
        and field_readers(field) not in (options.FIELD_READERS_MANAGER,
                                         options.FIELD_READERS_FINANCIALS)
    ]
    assert unmarked == []
