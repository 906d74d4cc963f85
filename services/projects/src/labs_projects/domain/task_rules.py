"""Rules of tasks and sprints: field validation, completion by status, where a task lands in a
column, subtask nesting, sprint dates and status moves. Pure."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from labs_common.errors import Conflict, InvalidArgument
from labs_common.field_masks import refuse_unsettable
from labs_projects.domain import rules
from labs_projects.domain.model import (
    Priority,
    Sprint,
    SprintStatus,
    Task,
    TaskStatus,
    TaskType,
)

MAX_TITLE = 500
MAX_STORY_POINTS = 1000
MAX_ISSUE_NUMBER = 2**31 - 1
MAX_TASK_HOURS = Decimal("100000")

TASK_FIELDS = frozenset(
    {
        "title",
        "description",
        "status",
        "priority",
        "type",
        "assignee_id",
        "estimated_hours",
        "story_points",
        "sprint_id",
        "parent_task_id",
        "due_date",
        "position",
        "github_issue_number",
    }
)
BULK_FIELDS = frozenset(
    {
        "status",
        "priority",
        "type",
        "assignee_id",
        "sprint_id",
        "due_date",
        "estimated_hours",
        "story_points",
    }
)


def check_title(value: str) -> str:
    value = rules.check_storable(value, "title").strip()
    if not value:
        raise InvalidArgument.on("title", "is required")
    if len(value) > MAX_TITLE:
        raise InvalidArgument.on("title", f"must be at most {MAX_TITLE} characters")
    return value


def int_or_none(value: str, field: str, low: int, high: int) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise InvalidArgument.on(field, "must be a whole number") from None
    if not low <= number <= high:
        raise InvalidArgument.on(field, f"must be between {low} and {high}")
    return number


def parse_task_fields(raw: dict[str, str], allowed: frozenset[str] = TASK_FIELDS) -> dict:
    """API strings → typed values, each checked; an empty string means "clear" (or default)."""
    refuse_unsettable(raw, allowed)
    parsers = {
        "title": check_title,
        "description": lambda v: rules.check_text(v, "description"),
        "status": lambda v: rules.parse_enum(TaskStatus, v, "status") if v else TaskStatus.BACKLOG,
        "priority": lambda v: rules.parse_enum(Priority, v, "priority") if v else Priority.MEDIUM,
        "type": lambda v: rules.parse_enum(TaskType, v, "type") if v else TaskType.FEATURE,
        "assignee_id": lambda v: rules.uuid_or_none(v, "assignee_id"),
        "estimated_hours": lambda v: rules.decimal_or_none(
            v, "estimated_hours", limit=MAX_TASK_HOURS
        ),
        "story_points": lambda v: int_or_none(v, "story_points", 0, MAX_STORY_POINTS),
        "sprint_id": lambda v: rules.uuid_or_none(v, "sprint_id"),
        "parent_task_id": lambda v: rules.uuid_or_none(v, "parent_task_id"),
        "due_date": lambda v: rules.date_or_none(v, "due_date"),
        "position": lambda v: int_or_none(v, "position", 0, 1_000_000),
        "github_issue_number": lambda v: int_or_none(v, "github_issue_number", 1,
                                                     MAX_ISSUE_NUMBER),
    }
    return {field: parsers[field](value) for field, value in raw.items()}


def completed_at_after(
    old: TaskStatus | None, new: TaskStatus, completed_at: datetime | None, now: datetime
) -> datetime | None:
    """Moving to done stamps the time; staying done keeps it; leaving done clears it."""
    if new is TaskStatus.DONE:
        return completed_at if old is TaskStatus.DONE and completed_at else now
    return None


def landing_position(requested: int | None, column_size: int) -> int:
    """Where a task lands in a column that holds `column_size` other tasks: the requested place,
    clamped to the end; no request means last."""
    if requested is None or requested > column_size:
        return column_size
    return max(requested, 0)


def check_parent(task: Task, parent: Task | None, has_subtasks: bool) -> None:
    """Subtasks are one level deep and stay in their parent's project."""
    if parent is None:
        return
    if parent.id == task.id:
        raise InvalidArgument.on("parent_task_id", "a task cannot be its own parent")
    if parent.project_id != task.project_id:
        raise InvalidArgument.on("parent_task_id", "must be a task of the same project")
    if parent.parent_task_id is not None:
        raise InvalidArgument.on("parent_task_id", "subtasks cannot have subtasks")
    if has_subtasks:
        raise InvalidArgument.on("parent_task_id", "a task with subtasks cannot become one")


SPRINT_TRANSITIONS = {
    SprintStatus.PLANNING: frozenset({SprintStatus.ACTIVE, SprintStatus.COMPLETED}),
    SprintStatus.ACTIVE: frozenset({SprintStatus.COMPLETED}),
    # A sprint closed by mistake may be resumed.
    SprintStatus.COMPLETED: frozenset({SprintStatus.ACTIVE}),
}


def check_sprint_transition(current: SprintStatus, new: SprintStatus) -> None:
    if new != current and new not in SPRINT_TRANSITIONS[current]:
        raise Conflict(
            f"A {current} sprint cannot become {new}.",
            reason="INVALID_STATUS_TRANSITION",
            metadata={"from": current.value, "to": new.value},
        )


def check_sprint(sprint: Sprint) -> None:
    if sprint.end_date < sprint.start_date:
        raise InvalidArgument.on("end_date", "must not be before start_date")
    if (sprint.end_date - sprint.start_date).days > 366:
        raise InvalidArgument.on("end_date", "a sprint lasts at most a year")
