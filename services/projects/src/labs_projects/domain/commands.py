"""What people ask the projects service to do, one frozen dataclass per use case, built by the
servicer from the request (ids parsed there); fields a caller sets travel as the API's text,
which the domain rules validate so each failure names its field."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from labs_projects.domain.model import ProjectStatus, SprintStatus

# Where a keyset page resumes: the last row's sort key, None for the first page.
After = tuple | None


@dataclass(frozen=True)
class CreateProject:
    fields: dict[str, str]
    client_name: str


@dataclass(frozen=True)
class ResolveProject:
    name: str
    create_missing: bool


@dataclass(frozen=True)
class ListProjects:
    after: After
    limit: int
    status: ProjectStatus | None
    client_id: uuid.UUID | None
    q: str


@dataclass(frozen=True)
class UpdateProject:
    project_id: uuid.UUID
    fields: dict[str, str]
    if_match: list[str]


@dataclass(frozen=True)
class ArchiveProject:
    project_id: uuid.UUID


@dataclass(frozen=True)
class CreateClient:
    name: str
    email: str
    currency: str


@dataclass(frozen=True)
class ListClients:
    after: After
    limit: int
    q: str
    include_archived: bool


@dataclass(frozen=True)
class UpdateClient:
    client_id: uuid.UUID
    changes: dict[str, str]
    if_match: list[str]


@dataclass(frozen=True)
class ArchiveClient:
    client_id: uuid.UUID


@dataclass(frozen=True)
class ListTasks:
    project_id: uuid.UUID
    after: After
    limit: int
    filters: dict


@dataclass(frozen=True)
class CreateTask:
    project_id: uuid.UUID
    fields: dict[str, str]


@dataclass(frozen=True)
class UpdateTask:
    task_id: uuid.UUID
    fields: dict[str, str]
    if_match: list[str]


@dataclass(frozen=True)
class BulkUpdateTasks:
    project_id: uuid.UUID
    task_ids: list[uuid.UUID]
    fields: dict[str, str]


@dataclass(frozen=True)
class DeleteTask:
    task_id: uuid.UUID


@dataclass(frozen=True)
class CreateSprint:
    project_id: uuid.UUID
    fields: dict[str, str]


@dataclass(frozen=True)
class ListSprints:
    project_id: uuid.UUID
    after: After
    limit: int
    status: SprintStatus | None


@dataclass(frozen=True)
class UpdateSprint:
    sprint_id: uuid.UUID
    fields: dict[str, str]
    if_match: list[str]


@dataclass(frozen=True)
class CreateComment:
    task_id: uuid.UUID
    body: str


@dataclass(frozen=True)
class ListActivities:
    after: After
    limit: int
    project_id: uuid.UUID | None
    entity_type: str
    user_id: uuid.UUID | None


@dataclass(frozen=True)
class ListComments:
    task_id: uuid.UUID
    after: After
    limit: int


@dataclass(frozen=True)
class UpdateComment:
    comment_id: uuid.UUID
    body: str


@dataclass(frozen=True)
class DeleteComment:
    comment_id: uuid.UUID


@dataclass(frozen=True)
class Search:
    q: str
    limit: int


@dataclass(frozen=True)
class ListFiles:
    project_id: uuid.UUID
    after: After
    limit: int
    task_id: uuid.UUID | None


@dataclass(frozen=True)
class ReadFileContent:
    file_id: uuid.UUID
    offset: int
    max_bytes: int


@dataclass(frozen=True)
class GetProject:
    project_id: uuid.UUID


@dataclass(frozen=True)
class GetClient:
    client_id: uuid.UUID


@dataclass(frozen=True)
class GetTask:
    task_id: uuid.UUID


@dataclass(frozen=True)
class GetSprint:
    sprint_id: uuid.UUID


@dataclass(frozen=True)
class GetFile:
    file_id: uuid.UUID
