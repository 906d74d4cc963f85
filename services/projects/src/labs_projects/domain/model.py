"""The projects service's aggregates as plain data (no I/O)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from labs_common.budgets import BudgetType
from labs_common.entities import EditableEntity, Entity
from labs_common.etag import Versioned


class ProjectStatus(StrEnum):
    PLANNING = "planning"
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    ARCHIVED = "archived"


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"


@dataclass
class Client(Versioned, EditableEntity):
    name: str
    email: str = ""
    currency: str = "USD"
    archived_at: datetime | None = None


@dataclass
class Project(Versioned, EditableEntity):
    name: str
    client_id: uuid.UUID | None = None
    description: str = ""
    status: ProjectStatus = ProjectStatus.PLANNING
    priority: Priority = Priority.MEDIUM
    budget_type: BudgetType = BudgetType.TIME_AND_MATERIALS
    budget_total: Decimal | None = None
    budget_currency: str = "USD"
    budget_hours: Decimal | None = None
    start_date: date | None = None
    end_date: date | None = None
    billing_rate_override: Decimal | None = None
    project_manager_id: uuid.UUID | None = None
    github_repo_url: str = ""
    slack_channel_id: str = ""
    # The client's name as the clients table has it now: read with the project, never stored on
    # it, so a renamed client shows under its new name on the next read. None without a client.
    client_name: str | None = None


class TaskStatus(StrEnum):
    BACKLOG = "backlog"
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    IN_REVIEW = "in_review"
    DONE = "done"
    CANCELLED = "cancelled"


# The board's columns, left to right; lists of tasks follow this order.
TASK_COLUMNS: tuple[TaskStatus, ...] = tuple(TaskStatus)


class TaskType(StrEnum):
    FEATURE = "feature"
    BUG = "bug"
    CHORE = "chore"
    DESIGN = "design"
    RESEARCH = "research"


@dataclass
class Task(Versioned, EditableEntity):
    project_id: uuid.UUID
    title: str
    parent_task_id: uuid.UUID | None = None
    sprint_id: uuid.UUID | None = None
    description: str = ""
    status: TaskStatus = TaskStatus.BACKLOG
    priority: Priority = Priority.MEDIUM
    type: TaskType = TaskType.FEATURE
    assignee_id: uuid.UUID | None = None
    estimated_hours: Decimal | None = None
    story_points: int | None = None
    due_date: date | None = None
    position: int = 0
    completed_at: datetime | None = None
    created_by: uuid.UUID | None = None
    # The GitHub issue of the project's repository this task mirrors (unique per project).
    github_issue_number: int | None = None


class SprintStatus(StrEnum):
    PLANNING = "planning"
    ACTIVE = "active"
    COMPLETED = "completed"


@dataclass
class Sprint(Versioned, EditableEntity):
    project_id: uuid.UUID
    name: str
    start_date: date
    end_date: date
    goal: str = ""
    status: SprintStatus = SprintStatus.PLANNING
    # Derived from the sprint's tasks on every read, never stored.
    total_points: int = 0
    completed_points: int = 0


@dataclass
class Comment(EditableEntity):
    task_id: uuid.UUID
    project_id: uuid.UUID
    author_id: uuid.UUID
    body: str
    edited_at: datetime | None = None


@dataclass(frozen=True)
class SearchHit:
    type: str
    id: uuid.UUID
    title: str
    project_id: uuid.UUID
    task_id: uuid.UUID | None  # the task found, or the task a comment found is on
    snippet: str
    rank: float


@dataclass
class StoredFile(Entity):
    project_id: uuid.UUID
    name: str
    mime_type: str
    size_bytes: int
    version: int
    sha256: str
    task_id: uuid.UUID | None = None
    uploaded_by: uuid.UUID | None = None

    @property
    def storage_key(self) -> str:
        return f"{self.org_id}/{self.id}"
