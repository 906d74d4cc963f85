"""Where tasks land on the board, completion by status, subtasks, sprint rules. No I/O."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from labs_common.errors import Conflict, InvalidArgument
from labs_projects.domain import task_rules
from labs_projects.domain.model import Sprint, SprintStatus, Task, TaskStatus

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def task(**fields) -> Task:
    return Task(id=uuid.uuid4(), org_id=uuid.uuid4(),
                project_id=fields.pop("project_id", uuid.uuid4()), title="T", **fields)


def test_a_task_lands_where_asked_clamped_to_the_end_or_last_by_default():
    assert task_rules.landing_position(None, 3) == 3
    assert task_rules.landing_position(1, 3) == 1
    assert task_rules.landing_position(99, 3) == 3
    assert task_rules.landing_position(0, 0) == 0


def test_done_stamps_the_time_once_and_leaving_done_clears_it():
    earlier = NOW - timedelta(days=1)
    assert task_rules.completed_at_after(TaskStatus.TODO, TaskStatus.DONE, None, NOW) == NOW
    assert task_rules.completed_at_after(TaskStatus.DONE, TaskStatus.DONE, earlier, NOW) == earlier
    assert task_rules.completed_at_after(TaskStatus.DONE, TaskStatus.TODO, earlier, NOW) is None


def test_subtasks_are_one_level_deep_within_one_project():
    project = uuid.uuid4()
    parent = task(project_id=project)
    child = task(project_id=project, parent_task_id=parent.id)
    task_rules.check_parent(task(project_id=project), parent, has_subtasks=False)
    cases = [
        (task(project_id=project), child, False),
        (task(project_id=uuid.uuid4()), parent, False),
        (task(project_id=project), parent, True),
        (parent, parent, False),
    ]
    for subject, candidate, has_subtasks in cases:
        with pytest.raises(InvalidArgument) as caught:
            task_rules.check_parent(subject, candidate, has_subtasks)
        assert caught.value.field_errors[0].field == "parent_task_id"


def test_task_fields_are_parsed_and_named_when_wrong():
    parsed = task_rules.parse_task_fields({"title": " Fix ", "story_points": "8", "status": ""})
    assert parsed == {"title": "Fix", "story_points": 8, "status": TaskStatus.BACKLOG}
    for field, value in (("story_points", "-1"), ("story_points", "x"), ("type", "epic"),
                         ("estimated_hours", "1.234"), ("title", "")):
        with pytest.raises(InvalidArgument) as caught:
            task_rules.parse_task_fields({field: value})
        assert caught.value.field_errors[0].field == field


def test_sprints_move_forward_and_end_after_they_start():
    task_rules.check_sprint_transition(SprintStatus.PLANNING, SprintStatus.ACTIVE)
    task_rules.check_sprint_transition(SprintStatus.COMPLETED, SprintStatus.ACTIVE)
    with pytest.raises(Conflict):
        task_rules.check_sprint_transition(SprintStatus.ACTIVE, SprintStatus.PLANNING)
    sprint = Sprint(id=uuid.uuid4(), org_id=uuid.uuid4(), project_id=uuid.uuid4(), name="S",
                    start_date=date(2026, 3, 13), end_date=date(2026, 3, 2))
    with pytest.raises(InvalidArgument) as caught:
        task_rules.check_sprint(sprint)
    assert caught.value.field_errors[0].field == "end_date"
