"""What people ask the projects service to do, one frozen dataclass per use case, built by the
servicer from the request (ids parsed there); fields a caller sets travel as the API's text,
which the domain rules validate so each failure names its field."""

from __future__ import annotations

import uuid

from labs_common.commands import ById, Command
from labs_projects.domain.model import ProjectStatus, SprintStatus

# Where a keyset page resumes: the last row's sort key, None for the first page.
After = tuple | None


class CreateProject(Command):
    fields: dict[str, str]
    client_name: str


class ResolveProject(Command):
    name: str
    create_missing: bool


class ListProjects(Command):
    after: After
    limit: int
    status: ProjectStatus | None
    client_id: uuid.UUID | None
    q: str


class UpdateProject(Command):
    project_id: uuid.UUID
    fields: dict[str, str]
    if_match: list[str]


class ArchiveProject(ById):
    pass


class CreateClient(Command):
    name: str
    email: str
    currency: str


class ListClients(Command):
    after: After
    limit: int
    q: str
    include_archived: bool


class UpdateClient(Command):
    client_id: uuid.UUID
    changes: dict[str, str]
    if_match: list[str]


class ArchiveClient(ById):
    pass


class ListTasks(Command):
    project_id: uuid.UUID
    after: After
    limit: int
    filters: dict


class CreateTask(Command):
    project_id: uuid.UUID
    fields: dict[str, str]


class UpdateTask(Command):
    task_id: uuid.UUID
    fields: dict[str, str]
    if_match: list[str]


class BulkUpdateTasks(Command):
    project_id: uuid.UUID
    task_ids: list[uuid.UUID]
    fields: dict[str, str]


class DeleteTask(ById):
    pass


class CreateSprint(Command):
    project_id: uuid.UUID
    fields: dict[str, str]


class ListSprints(Command):
    project_id: uuid.UUID
    after: After
    limit: int
    status: SprintStatus | None


class UpdateSprint(Command):
    sprint_id: uuid.UUID
    fields: dict[str, str]
    if_match: list[str]


class CreateComment(Command):
    task_id: uuid.UUID
    body: str


class ListActivities(Command):
    after: After
    limit: int
    project_id: uuid.UUID | None
    entity_type: str
    user_id: uuid.UUID | None


class ListComments(Command):
    task_id: uuid.UUID
    after: After
    limit: int


class UpdateComment(Command):
    comment_id: uuid.UUID
    body: str


class DeleteComment(ById):
    pass


class Search(Command):
    q: str
    limit: int


class ListFiles(Command):
    project_id: uuid.UUID
    after: After
    limit: int
    task_id: uuid.UUID | None


class ReadFileContent(Command):
    file_id: uuid.UUID
    offset: int
    max_bytes: int


class GetProject(ById):
    pass


class GetClient(ById):
    pass


class GetTask(ById):
    pass


class GetSprint(ById):
    pass


class GetFile(ById):
    pass
