"""Tasks in Labs as the member who connected a platform (GitHub, Jira, Asana, Linear): the projects
service's RPCs with that member's delegated token (labs_common.auth.delegation), so their role
and the projects' rules apply to what the platform changes, as they would to the member's own
edits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from labs.projects.v1 import projects_service_pb2 as pb
from labs_common.auth.delegation import DelegatedTokens, acting_as
from labs_common.grpc.status import remote_call, remote_lookup
from labs_common.grpc.transactions import idempotency_metadata


@dataclass(frozen=True)
class TaskView:
    id: uuid.UUID
    project_id: uuid.UUID
    title: str
    status: str
    description: str = ""


def _view(task: pb.Task) -> TaskView:
    status = pb.TaskStatus.Name(task.status).removeprefix("TASK_STATUS_").lower()
    return TaskView(id=uuid.UUID(task.id), project_id=uuid.UUID(task.project_id),
                    title=task.title, status=status, description=task.description)


def _task(fields: dict[str, str], issue_number: int | None = None) -> pb.Task:
    task = pb.Task()
    for name, value in fields.items():
        if name == "status":
            task.status = pb.TaskStatus.Value(f"TASK_STATUS_{value.upper()}")
        elif name == "story_points":
            if value != "":  # empty: left unset, so an update naming it clears it
                task.story_points = int(value)
        else:
            setattr(task, name, value)
    if issue_number is not None:
        task.github_issue_number = issue_number
    return task


class LabsTasks:
    """`projects`: a ProjectsService stub on the platform's channel (it carries the bound
    principal's token); `reason`: what the delegated tokens say they are for."""

    def __init__(self, tokens: DelegatedTokens, projects, *, reason: str = "github") -> None:
        self._tokens = tokens
        self._projects = projects
        self._reason = reason

    async def _as(self, org_id: uuid.UUID, user_id: uuid.UUID):
        return await self._tokens.token(org_id, user_id=user_id, reason=self._reason)

    async def get(self, org_id: uuid.UUID, user_id: uuid.UUID, task_id: uuid.UUID
                  ) -> TaskView | None:
        with acting_as(await self._as(org_id, user_id)):
            found = await remote_lookup(self._projects.GetTask(pb.GetTaskRequest(id=str(task_id))))
        return _view(found.task) if found is not None else None

    async def find(self, org_id: uuid.UUID, user_id: uuid.UUID, project_id: uuid.UUID,
                   number: int) -> TaskView | None:
        with acting_as(await self._as(org_id, user_id)):
            page = await remote_call(self._projects.ListTasks(pb.ListTasksRequest(
                project_id=str(project_id), github_issue_number=number, page_size=1)))
        return _view(page.tasks[0]) if page.tasks else None

    async def create(self, org_id: uuid.UUID, user_id: uuid.UUID, project_id: uuid.UUID,
                     number: int | None, fields: dict[str, str], *,
                     idempotency_key: str | None = None) -> TaskView:
        with acting_as(await self._as(org_id, user_id)):
            created = await remote_call(self._projects.CreateTask(pb.CreateTaskRequest(
                project_id=str(project_id), task=_task(fields, number)),
                metadata=idempotency_metadata(idempotency_key)))
        return _view(created.task)

    async def update(self, org_id: uuid.UUID, user_id: uuid.UUID, task_id: uuid.UUID,
                     fields: dict[str, str]) -> TaskView:
        request = pb.UpdateTaskRequest(id=str(task_id), task=_task(fields))
        request.update_mask.paths.extend(sorted(fields))
        with acting_as(await self._as(org_id, user_id)):
            updated = await remote_call(self._projects.UpdateTask(request))
        return _view(updated.task)

    async def delete(self, org_id: uuid.UUID, user_id: uuid.UUID, task_id: uuid.UUID) -> None:
        """Deletes the task; one deleted already is no matter."""
        with acting_as(await self._as(org_id, user_id)):
            await remote_lookup(self._projects.DeleteTask(pb.DeleteTaskRequest(id=str(task_id))))

    async def comment(self, org_id: uuid.UUID, user_id: uuid.UUID, task_id: uuid.UUID,
                      body: str, *, idempotency_key: str | None = None) -> None:
        with acting_as(await self._as(org_id, user_id)):
            await remote_call(self._projects.CreateComment(pb.CreateCommentRequest(
                task_id=str(task_id), body=body), metadata=idempotency_metadata(idempotency_key)))
