"""Tasks and sprints: map in, one handler in one transaction, map out."""

from __future__ import annotations

import uuid

from labs.projects.v1 import projects_service_pb2 as pb
from labs_common.pagination import (
    after_creation,
    next_page_token,
    page_size,
    position,
)
from labs_common.parsing import optional_uuid, uuid_of
from labs_projects.adapters import proto
from labs_projects.domain.model import TASK_COLUMNS, SprintStatus, TaskStatus
from labs_projects.entrypoints.requests import (
    SPRINT_SETTABLE,
    TASK_SETTABLE,
    masked_fields,
    present_fields,
)
from labs_projects.service_layer import (
    sprints,
    tasks,
)


class WorkRpcs:
    """RPCs of ProjectsServicer (a mixin: it relies on the servicer's `_tenant` and adapters)."""

    # --- tasks ------------------------------------------------------------------------------

    async def CreateTask(self, request, context) -> pb.CreateTaskResponse:
        project_id = uuid_of(request.project_id, "project_id")
        fields = present_fields(request.task, TASK_SETTABLE)

        async def work(uow, principal):
            task = await tasks.create_task(uow, principal, self._members, project_id,
                                           fields=fields)
            return pb.CreateTaskResponse(task=proto.task(task))

        return await self._tenant(context, request, pb.CreateTaskResponse, work)

    async def ListTasks(self, request, context) -> pb.ListTasksResponse:
        project_id = uuid_of(request.project_id, "project_id")
        limit = page_size(request.page_size)
        after = position(request.page_token, int, int, uuid.UUID)
        filters = {
            "status": (TaskStatus(proto.message_field_text(request, "status"))
                       if request.status else None),
            "assignee_id": optional_uuid(request.assignee_id, "assignee_id"),
            "sprint_id": optional_uuid(request.sprint_id, "sprint_id"),
            "parent_task_id": optional_uuid(request.parent_task_id, "parent_task_id"),
        }

        async def work(uow, principal):
            found = await tasks.list_tasks(uow, principal, project_id, after, limit + 1,
                                           filters=filters)
            token = next_page_token(
                found, limit, lambda t: (TASK_COLUMNS.index(t.status) + 1, t.position, t.id))
            return pb.ListTasksResponse(tasks=[proto.task(t) for t in found[:limit]],
                                        next_page_token=token)

        return await self._tenant(context, request, pb.ListTasksResponse, work)

    async def GetTask(self, request, context) -> pb.GetTaskResponse:
        task_id = uuid_of(request.id, "id")

        async def work(uow, principal):
            return pb.GetTaskResponse(task=proto.task(await tasks.get_task(uow, principal,
                                                                           task_id)))

        return await self._tenant(context, request, pb.GetTaskResponse, work)

    async def UpdateTask(self, request, context) -> pb.UpdateTaskResponse:
        task_id = uuid_of(request.id, "id")
        fields = masked_fields(request.task, request.update_mask.paths, TASK_SETTABLE)

        async def work(uow, principal):
            task = await tasks.update_task(uow, principal, self._members, task_id, fields=fields,
                                           if_match=list(request.if_match_etags))
            return pb.UpdateTaskResponse(task=proto.task(task))

        return await self._tenant(context, request, pb.UpdateTaskResponse, work)

    async def DeleteTask(self, request, context) -> pb.DeleteTaskResponse:
        task_id = uuid_of(request.id, "id")

        async def work(uow, principal):
            await tasks.delete_task(uow, principal, task_id)
            return pb.DeleteTaskResponse()

        return await self._tenant(context, request, pb.DeleteTaskResponse, work)

    async def BulkUpdateTasks(self, request, context) -> pb.BulkUpdateTasksResponse:
        project_id = uuid_of(request.project_id, "project_id")
        task_ids = [uuid_of(value, "task_ids") for value in request.task_ids]
        fields = masked_fields(request.changes, request.update_mask.paths, TASK_SETTABLE,
                               field_prefix="changes")

        async def work(uow, principal):
            updated = await tasks.bulk_update_tasks(uow, principal, self._members, project_id,
                                                    task_ids=task_ids, fields=fields)
            return pb.BulkUpdateTasksResponse(tasks=[proto.task(t) for t in updated])

        return await self._tenant(context, request, pb.BulkUpdateTasksResponse, work)

    # --- sprints ----------------------------------------------------------------------------

    async def CreateSprint(self, request, context) -> pb.CreateSprintResponse:
        project_id = uuid_of(request.project_id, "project_id")
        fields = present_fields(request.sprint, SPRINT_SETTABLE)

        async def work(uow, principal):
            sprint = await sprints.create_sprint(uow, principal, project_id, fields=fields)
            return pb.CreateSprintResponse(sprint=proto.sprint(sprint))

        return await self._tenant(context, request, pb.CreateSprintResponse, work)

    async def ListSprints(self, request, context) -> pb.ListSprintsResponse:
        project_id = uuid_of(request.project_id, "project_id")
        limit = page_size(request.page_size)
        after = after_creation(request.page_token)
        status = (SprintStatus(proto.message_field_text(request, "status"))
                  if request.status else None)

        async def work(uow, principal):
            found = await sprints.list_sprints(uow, principal, project_id, after, limit + 1,
                                               status=status)
            return pb.ListSprintsResponse(sprints=[proto.sprint(s) for s in found[:limit]],
                                          next_page_token=next_page_token(found, limit))

        return await self._tenant(context, request, pb.ListSprintsResponse, work)

    async def GetSprint(self, request, context) -> pb.GetSprintResponse:
        sprint_id = uuid_of(request.id, "id")

        async def work(uow, principal):
            sprint = await sprints.get_sprint(uow, principal, sprint_id)
            return pb.GetSprintResponse(sprint=proto.sprint(sprint))

        return await self._tenant(context, request, pb.GetSprintResponse, work)

    async def UpdateSprint(self, request, context) -> pb.UpdateSprintResponse:
        sprint_id = uuid_of(request.id, "id")
        fields = masked_fields(request.sprint, request.update_mask.paths, SPRINT_SETTABLE)

        async def work(uow, principal):
            sprint = await sprints.update_sprint(uow, principal, sprint_id, fields=fields,
                                                 if_match=list(request.if_match_etags))
            return pb.UpdateSprintResponse(sprint=proto.sprint(sprint))

        return await self._tenant(context, request, pb.UpdateSprintResponse, work)

