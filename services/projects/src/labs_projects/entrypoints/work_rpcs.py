"""Tasks and sprints: map the request to a command, one handler, map the result out."""

from __future__ import annotations

import uuid
from functools import partial

from labs.projects.v1 import projects_service_pb2 as pb
from labs_common.pagination import after_creation, page_size, position
from labs_common.parsing import optional_uuid, uuid_of
from labs_projects.adapters import proto
from labs_projects.domain import commands
from labs_projects.domain.model import TASK_COLUMNS, SprintStatus, TaskStatus
from labs_projects.entrypoints.requests import (
    SPRINT_SETTABLE,
    TASK_SETTABLE,
    masked_fields,
    present_fields,
)
from labs_projects.service_layer import sprints, tasks
from labs_projects.service_layer.members import ask_members


def _board_order(task) -> tuple:
    """Where a task stands on its board: column, place in it, id."""
    return TASK_COLUMNS.index(task.status) + 1, task.position, task.id


class WorkRpcs:
    """RPCs of ProjectsServicer (a mixin: it relies on the servicer's `_handle` and adapters)."""

    # --- tasks ------------------------------------------------------------------------------

    async def CreateTask(self, request, context) -> pb.CreateTaskResponse:
        """Adds a task to a project's board."""
        command = commands.CreateTask(uuid_of(request.project_id, "project_id"),
                                      present_fields(request.task, TASK_SETTABLE))
        members = await ask_members(self._members, request.task.assignee_id)
        return await self._handle(
            context, request, partial(tasks.create_task, members=members), command,
            task=proto.task,
        )

    async def ListTasks(self, request, context) -> pb.ListTasksResponse:
        """A project's tasks in board order, filtered, a page at a time."""
        limit = page_size(request.page_size)
        status = proto.message_field_text(request, "status")
        command = commands.ListTasks(
            project_id=uuid_of(request.project_id, "project_id"),
            after=position(request.page_token, int, int, uuid.UUID),
            limit=limit + 1,
            filters={
                "status": TaskStatus(status) if request.status else None,
                "assignee_id": optional_uuid(request.assignee_id, "assignee_id"),
                "sprint_id": optional_uuid(request.sprint_id, "sprint_id"),
                "parent_task_id": optional_uuid(request.parent_task_id, "parent_task_id"),
                "github_issue_number": request.github_issue_number or None,
            },
        )
        return await self._handle_page(
            context, request, tasks.list_tasks, command, limit, tasks=proto.task, key=_board_order)

    async def GetTask(self, request, context) -> pb.GetTaskResponse:
        """One task the caller may see."""
        return await self._get_one(context, request, tasks.get_task, commands.GetTask,
                                   task=proto.task)

    async def UpdateTask(self, request, context) -> pb.UpdateTaskResponse:
        """Changes what the update mask names (moving it on the board), if the etag matches."""
        command = commands.UpdateTask(
            task_id=uuid_of(request.id, "id"),
            fields=masked_fields(request.task, request.update_mask.paths, TASK_SETTABLE),
            if_match=list(request.if_match_etags),
        )
        members = await ask_members(self._members, request.task.assignee_id)
        return await self._handle(
            context, request, partial(tasks.update_task, members=members), command,
            task=proto.task,
        )

    async def DeleteTask(self, request, context) -> pb.DeleteTaskResponse:
        """Removes a task (its subtasks move up)."""
        command = commands.DeleteTask(uuid_of(request.id, "id"))
        return await self._handle(context, request, tasks.delete_task, command)

    async def BulkUpdateTasks(self, request, context) -> pb.BulkUpdateTasksResponse:
        """The same changes to many tasks of a project, all or none."""
        command = commands.BulkUpdateTasks(
            project_id=uuid_of(request.project_id, "project_id"),
            task_ids=[uuid_of(value, "task_ids") for value in request.task_ids],
            fields=masked_fields(request.changes, request.update_mask.paths, TASK_SETTABLE,
                                 field_prefix="changes"),
        )
        members = await ask_members(self._members, request.changes.assignee_id)
        return await self._handle(
            context, request, partial(tasks.bulk_update_tasks, members=members), command,
            lambda updated: pb.BulkUpdateTasksResponse(tasks=[proto.task(t) for t in updated]),
        )

    # --- sprints ----------------------------------------------------------------------------

    async def CreateSprint(self, request, context) -> pb.CreateSprintResponse:
        """Adds a sprint to a project (managers and up)."""
        command = commands.CreateSprint(uuid_of(request.project_id, "project_id"),
                                        present_fields(request.sprint, SPRINT_SETTABLE))
        return await self._handle(context, request, sprints.create_sprint, command,
                                  sprint=proto.sprint)

    async def ListSprints(self, request, context) -> pb.ListSprintsResponse:
        """A project's sprints, newest first, a page at a time."""
        limit = page_size(request.page_size)
        status = proto.message_field_text(request, "status")
        command = commands.ListSprints(
            project_id=uuid_of(request.project_id, "project_id"),
            after=after_creation(request.page_token),
            limit=limit + 1,
            status=SprintStatus(status) if request.status else None,
        )
        return await self._handle_page(
            context, request, sprints.list_sprints, command, limit, sprints=proto.sprint)

    async def GetSprint(self, request, context) -> pb.GetSprintResponse:
        """One sprint the caller may see, with its points."""
        return await self._get_one(context, request, sprints.get_sprint, commands.GetSprint,
                                   sprint=proto.sprint)

    async def UpdateSprint(self, request, context) -> pb.UpdateSprintResponse:
        """Changes what the update mask names, if the etag still matches."""
        command = commands.UpdateSprint(
            sprint_id=uuid_of(request.id, "id"),
            fields=masked_fields(request.sprint, request.update_mask.paths, SPRINT_SETTABLE),
            if_match=list(request.if_match_etags),
        )
        return await self._handle(context, request, sprints.update_sprint, command,
                                  sprint=proto.sprint)
