"""The projects area's JSON ⇄ proto mapping and download headers, without a server."""

from __future__ import annotations

from labs.projects.v1 import projects_service_pb2 as pb
from labs_gateway.routes.files import _attachment
from labs_gateway.schemas.projects_mapping import hours_text, project_message, project_public
from labs_gateway.schemas.tasks_mapping import message_from, task_public


def test_hours_travel_as_exact_decimal_strings():
    assert hours_text(12.5) == "12.5"
    assert hours_text(0.1) == "0.1"
    assert hours_text(40) == "40"
    assert hours_text(40.0) == "40.0"
    assert hours_text(None) == ""


def test_a_project_round_trips_with_enums_as_lowercase_names():
    message = project_message({"name": "Site", "status": "on_hold", "budget_type": "fixed_fee",
                               "budget_total": "100.00", "budget_hours": 12.5,
                               "github_repo_url": None})
    assert message.status == pb.PROJECT_STATUS_ON_HOLD and message.budget_hours == "12.5"
    message.id, message.budget_currency, message.priority = "p1", "EUR", pb.PRIORITY_HIGH
    shown = project_public(message)
    assert (shown.status, shown.priority, shown.budget_type) == ("on_hold", "high", "fixed_fee")
    assert shown.budget_hours == 12.5 and shown.github_repo_url is None


def test_a_task_keeps_unset_story_points_apart_from_zero():
    zero = message_from(pb.Task, {"title": "T", "story_points": 0, "type": "bug"})
    assert zero.HasField("story_points") and zero.type == pb.TASK_TYPE_BUG
    unset = message_from(pb.Task, {"title": "T", "story_points": None, "type": "chore"})
    assert not unset.HasField("story_points")
    for task in (zero, unset):
        task.status, task.priority = pb.TASK_STATUS_DONE, pb.PRIORITY_LOW
    assert task_public(zero).story_points == 0 and task_public(unset).story_points is None


def test_download_names_cannot_break_out_of_the_header():
    header = _attachment('Résumé "final".pdf')
    assert header.startswith('attachment; filename="R_sum_ _final_.pdf"')
    assert "filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf" in header
