"""Tasks and sprints as the API shows them; the projects service validates the values and names
the field that is wrong, these models check shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from labs_gateway.schemas.common import (
    IsoDate,
    Name,
    RequestModel,
    UuidStr,
    decimal_type,
    whole_number,
)
from labs_gateway.schemas.projects import PriorityName
from labs_gateway.schemas.proto_json import PublicModel

TaskStatusName = Literal["backlog", "todo", "in_progress", "in_review", "done", "cancelled"]
TaskTypeName = Literal["feature", "bug", "chore", "design", "research"]
SprintStatusName = Literal["planning", "active", "completed"]
Title = Annotated[str, Field(min_length=1, max_length=500)]
Description = Annotated[str, Field(max_length=20_000)]
Points = whole_number(ge=0, le=1000)
Position = whole_number(ge=0, le=1_000_000)
IssueNumber = whole_number(ge=1, le=2**31 - 1)
Hours = decimal_type(maximum=100_000, strings=False, example="8",
                     description="Estimated hours, a JSON number.")


class TaskCreate(RequestModel):
    title: Title
    description: Description = ""
    status: TaskStatusName = "backlog"
    priority: PriorityName = "medium"
    type: TaskTypeName = "feature"
    assignee_id: UuidStr | None = None
    estimated_hours: Hours | None = None
    story_points: Points | None = None
    sprint_id: UuidStr | None = None
    parent_task_id: UuidStr | None = None
    due_date: IsoDate | None = None
    position: Position | None = Field(None, description="Place in its status column; default last.")
    github_issue_number: IssueNumber | None = Field(
        None, description="The GitHub issue of the project's repository this task mirrors; "
                          "unique in the project (a clash is 409).")


class TaskUpdate(RequestModel):
    """Only the fields present change; null clears an optional field."""

    title: Title = None  # type: ignore[assignment]
    description: Description | None = None
    status: TaskStatusName = None  # type: ignore[assignment]
    priority: PriorityName = None  # type: ignore[assignment]
    type: TaskTypeName = None  # type: ignore[assignment]
    assignee_id: UuidStr | None = None
    estimated_hours: Hours | None = None
    story_points: Points | None = None
    sprint_id: UuidStr | None = None
    parent_task_id: UuidStr | None = None
    due_date: IsoDate | None = None
    position: Position = None  # type: ignore[assignment]
    github_issue_number: IssueNumber | None = None


class TaskBulkChanges(RequestModel):
    status: TaskStatusName = None  # type: ignore[assignment]
    priority: PriorityName = None  # type: ignore[assignment]
    type: TaskTypeName = None  # type: ignore[assignment]
    assignee_id: UuidStr | None = None
    sprint_id: UuidStr | None = None
    due_date: IsoDate | None = None
    estimated_hours: Hours | None = None
    story_points: Points | None = None


class TaskBulkUpdate(RequestModel):
    task_ids: Annotated[list[UuidStr], Field(min_length=1, max_length=500)]
    changes: TaskBulkChanges


class TaskPublic(PublicModel):
    id: str
    project_id: str
    parent_task_id: str | None
    sprint_id: str | None
    title: str
    description: str
    status: TaskStatusName
    priority: PriorityName
    type: TaskTypeName
    assignee_id: str | None
    estimated_hours: float | None
    story_points: int | None
    due_date: str | None
    position: int
    github_issue_number: int | None
    completed_at: datetime | None
    created_by: str | None
    created_at: datetime | None
    updated_at: datetime | None


class TaskList(BaseModel):
    tasks: list[TaskPublic]
    next_cursor: str | None


class TaskBulkResult(BaseModel):
    tasks: list[TaskPublic]


class SprintCreate(RequestModel):
    ORDERED = (("start_date", "end_date", "must not be before start_date"),)

    name: Name
    goal: Annotated[str, Field(max_length=2000)] = ""
    start_date: IsoDate
    end_date: IsoDate
    status: SprintStatusName = "planning"


class SprintUpdate(RequestModel):
    ORDERED = SprintCreate.ORDERED

    name: Name = None  # type: ignore[assignment]
    goal: Annotated[str, Field(max_length=2000)] | None = None
    start_date: IsoDate = None  # type: ignore[assignment]
    end_date: IsoDate = None  # type: ignore[assignment]
    status: SprintStatusName = None  # type: ignore[assignment]


class SprintPublic(PublicModel):
    id: str
    project_id: str
    name: str
    goal: str
    start_date: str
    end_date: str
    status: SprintStatusName
    total_points: int
    completed_points: int
    created_at: datetime | None
    updated_at: datetime | None


class SprintList(BaseModel):
    sprints: list[SprintPublic]
    next_cursor: str | None
