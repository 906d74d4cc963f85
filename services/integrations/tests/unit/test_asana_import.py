"""Asana's tasks as Labs tasks, pure: done when completed, else what the task's section in the
imported project says; the assignee's email; the estimate from a field named like "Estimate"
(hours) or Asana's own "Estimated time" (minutes)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from labs_integrations.domain.imports import asana_estimate, asana_status, asana_task

PROJECT = "1200000000000001"


def task(**fields) -> dict:
    return {"gid": "1200000000000777", "name": "Home page", "notes": "Hero and footer",
            "completed": False, "assignee": {"gid": "9", "email": "Ana@Acme.test"},
            "memberships": [{"project": {"gid": "1200000000000999"},
                             "section": {"name": "Done"}},
                            {"project": {"gid": PROJECT}, "section": {"name": "In progress"}}],
            "custom_fields": [{"name": "Priority", "number_value": None},
                              {"name": "Estimated hours", "number_value": 2.5,
                               "representation_type": "number"}], **fields}


def test_a_task_reads_by_its_section_in_the_imported_project_its_assignee_and_estimate():
    found = asana_task(task(), PROJECT)
    assert (found.external_id, found.title, found.description) == \
        ("1200000000000777", "Home page", "Hero and footer")
    assert found.status == "in_progress"  # its section here, not in the other project
    assert found.assignee_email == "ana@acme.test"
    assert found.estimated_hours == Decimal("2.50")


@pytest.mark.parametrize(("completed", "section", "status"), [
    (True, "In progress", "done"), (False, "Done", "done"), (False, "Doing", "in_progress"),
    (False, "Ready for review", "in_review"), (False, "Backlog", "backlog"),
    (False, "To do", "todo"), (False, "Untitled section", "todo"), (False, None, "todo")])
def test_completed_is_done_and_a_section_says_the_rest(completed, section, status):
    assert asana_status(completed, section) == status


def test_estimates_come_from_a_field_named_so_in_hours_or_asanas_duration_in_minutes():
    assert asana_estimate([{"name": "Estimate", "number_value": 3}]) == Decimal("3.00")
    assert asana_estimate([{"name": "Estimated time", "number_value": 90,
                            "representation_type": "duration"}]) == Decimal("1.50")
    assert asana_estimate([{"name": "Story points", "number_value": 5}]) is None
    assert asana_estimate([{"name": "Estimate", "number_value": None}]) is None
    assert asana_estimate(None) is None


def test_a_task_with_no_assignee_section_or_name_still_reads():
    found = asana_task({"gid": "5", "name": "", "completed": True, "assignee": None}, PROJECT)
    assert (found.title, found.status, found.assignee_email, found.estimated_hours) == \
        ("(untitled)", "done", None, None)
