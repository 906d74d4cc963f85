"""Tasks on the board: positions that stay dense under concurrent moves, completion by status,
subtasks, assignees who must be members, bulk updates that are all or nothing, live events."""

from __future__ import annotations

import asyncio

import nats
import pytest
from google.protobuf import field_mask_pb2
from projects_helpers import (
    bearer,
    create_project,
    invite_and_join,
    new_org,
    next_event,
    rpc_error,
)

from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.projects.v1 import projects_service_pb2 as pb

pytestmark = pytest.mark.integration


def mask(*paths: str) -> field_mask_pb2.FieldMask:
    return field_mask_pb2.FieldMask(paths=list(paths))


async def board(projects, token, project_id) -> dict[int, list[str]]:
    listed = await projects.ListTasks(pb.ListTasksRequest(project_id=project_id), metadata=token)
    columns: dict[int, list[str]] = {}
    for task in listed.tasks:
        columns.setdefault(task.status, []).append(task.title)
        assert task.position == len(columns[task.status]) - 1, "positions are dense"
    return columns


async def add_task(projects, token, project_id, title, **fields) -> pb.Task:
    created = await projects.CreateTask(
        pb.CreateTaskRequest(project_id=project_id, task=pb.Task(title=title, **fields)),
        metadata=token)
    return created.task


async def test_tasks_keep_their_order_in_a_column_and_moves_renumber_it(projects, identity_stub):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    project = await create_project(projects, owner)
    a = await add_task(projects, token, project.id, "A", status=pb.TASK_STATUS_TODO)
    await add_task(projects, token, project.id, "B", status=pb.TASK_STATUS_TODO)
    await add_task(projects, token, project.id, "C", status=pb.TASK_STATUS_TODO, position=0)
    assert (await board(projects, token, project.id))[pb.TASK_STATUS_TODO] == ["C", "A", "B"]
    await projects.UpdateTask(pb.UpdateTaskRequest(
        id=a.id, task=pb.Task(position=2), update_mask=mask("position")), metadata=token)
    assert (await board(projects, token, project.id))[pb.TASK_STATUS_TODO] == ["C", "B", "A"]
    moved = await projects.UpdateTask(pb.UpdateTaskRequest(
        id=a.id, task=pb.Task(status=pb.TASK_STATUS_IN_PROGRESS, position=0),
        update_mask=mask("status", "position")), metadata=token)
    assert moved.task.position == 0
    columns = await board(projects, token, project.id)
    assert columns[pb.TASK_STATUS_TODO] == ["C", "B"]
    assert columns[pb.TASK_STATUS_IN_PROGRESS] == ["A"]


async def test_concurrent_moves_leave_every_column_dense(projects, identity_stub):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    project = await create_project(projects, owner)
    created = [await add_task(projects, token, project.id, f"T{i}", status=pb.TASK_STATUS_TODO)
               for i in range(8)]
    statuses = [pb.TASK_STATUS_IN_PROGRESS, pb.TASK_STATUS_TODO, pb.TASK_STATUS_DONE]
    await asyncio.gather(*(
        projects.UpdateTask(pb.UpdateTaskRequest(
            id=task.id, task=pb.Task(status=statuses[i % 3], position=0),
            update_mask=mask("status", "position")), metadata=token)
        for i, task in enumerate(created)
    ))
    columns = await board(projects, token, project.id)
    assert sum(len(titles) for titles in columns.values()) == 8


async def test_done_stamps_completed_at_and_leaving_done_clears_it(projects, identity_stub):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    project = await create_project(projects, owner)
    task = await add_task(projects, token, project.id, "Ship it")
    assert not task.HasField("completed_at")
    done = await projects.UpdateTask(pb.UpdateTaskRequest(
        id=task.id, task=pb.Task(status=pb.TASK_STATUS_DONE), update_mask=mask("status")),
        metadata=token)
    assert done.task.HasField("completed_at")
    reopened = await projects.UpdateTask(pb.UpdateTaskRequest(
        id=task.id, task=pb.Task(status=pb.TASK_STATUS_TODO), update_mask=mask("status")),
        metadata=token)
    assert not reopened.task.HasField("completed_at")


async def test_subtasks_are_one_level_deep_and_go_with_their_parent(
    projects, identity_stub, nats_url
):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    project = await create_project(projects, owner)
    parent = await add_task(projects, token, project.id, "Epic")
    child = await add_task(projects, token, project.id, "Step", parent_task_id=parent.id)
    error = await rpc_error(add_task(projects, token, project.id, "Too deep",
                                     parent_task_id=child.id))
    assert error.field_errors[0].field == "parent_task_id"
    children = await projects.ListTasks(
        pb.ListTasksRequest(project_id=project.id, parent_task_id=parent.id), metadata=token)
    assert [t.id for t in children.tasks] == [child.id]
    connection = await nats.connect(nats_url)
    try:
        events = await connection.subscribe(
            f"labs.projects.v1.{owner.organization.id}.task.deleted")
        await projects.DeleteTask(pb.DeleteTaskRequest(id=parent.id), metadata=token)
        deleted = {(await next_event(events, "task.deleted")).project_id for _ in range(2)}
        assert deleted == {project.id}
    finally:
        await connection.drain()
    error = await rpc_error(projects.GetTask(pb.GetTaskRequest(id=child.id), metadata=token))
    assert error.http_status == 404


async def test_an_assignee_must_be_a_staff_member_of_the_org(projects, identity_stub):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    member = await invite_and_join(identity_stub, owner, identity_pb.ROLE_MEMBER)
    stranger = await new_org(identity_stub)
    project = await create_project(projects, owner)
    task = await add_task(projects, token, project.id, "Mine", assignee_id=member.user.id)
    assert task.assignee_id == member.user.id
    error = await rpc_error(add_task(projects, token, project.id, "Theirs",
                                     assignee_id=stranger.user.id))
    assert error.http_status == 422 and error.field_errors[0].field == "assignee_id"
    by_assignee = await projects.ListTasks(
        pb.ListTasksRequest(project_id=project.id, assignee_id=member.user.id), metadata=token)
    assert [t.title for t in by_assignee.tasks] == ["Mine"]


async def test_bulk_update_changes_all_or_nothing(projects, identity_stub):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    project = await create_project(projects, owner)
    other = await create_project(projects, owner)
    ours = [await add_task(projects, token, project.id, f"T{i}") for i in range(3)]
    foreign = await add_task(projects, token, other.id, "Elsewhere")
    error = await rpc_error(projects.BulkUpdateTasks(pb.BulkUpdateTasksRequest(
        project_id=project.id, task_ids=[t.id for t in ours] + [foreign.id],
        changes=pb.Task(priority=pb.PRIORITY_URGENT), update_mask=mask("priority")),
        metadata=token))
    assert error.field_errors[0].field == "task_ids"
    listed = await projects.ListTasks(pb.ListTasksRequest(project_id=project.id), metadata=token)
    assert {t.priority for t in listed.tasks} == {pb.PRIORITY_MEDIUM}
    updated = await projects.BulkUpdateTasks(pb.BulkUpdateTasksRequest(
        project_id=project.id, task_ids=[t.id for t in ours],
        changes=pb.Task(priority=pb.PRIORITY_URGENT, status=pb.TASK_STATUS_DONE),
        update_mask=mask("priority", "status")), metadata=token)
    assert {(t.priority, t.status) for t in updated.tasks} == {
        (pb.PRIORITY_URGENT, pb.TASK_STATUS_DONE)}
    assert all(t.HasField("completed_at") for t in updated.tasks)
    assert sorted(t.position for t in updated.tasks) == [0, 1, 2]


async def test_task_writes_publish_events_for_the_project_room(projects, identity_stub, nats_url):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    project = await create_project(projects, owner)
    connection = await nats.connect(nats_url)
    try:
        events = await connection.subscribe(f"labs.projects.v1.{owner.organization.id}.task.>")
        task = await add_task(projects, token, project.id, "Live")
        assert (await next_event(events, "task.created")).project_id == project.id
        await projects.UpdateTask(pb.UpdateTaskRequest(
            id=task.id, task=pb.Task(title="Live!"), update_mask=mask("title")), metadata=token)
        assert (await next_event(events, "task.updated")).project_id == project.id
    finally:
        await connection.drain()


async def test_viewers_cannot_write_tasks_and_archived_projects_refuse_them(
    projects, identity_stub
):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    viewer = await invite_and_join(identity_stub, owner, identity_pb.ROLE_VIEWER)
    project = await create_project(projects, owner)
    error = await rpc_error(add_task(projects, bearer(viewer.access_token), project.id, "No"))
    assert error.http_status == 403
    await projects.DeleteProject(pb.DeleteProjectRequest(id=project.id), metadata=token)
    error = await rpc_error(add_task(projects, token, project.id, "Late"))
    assert error.http_status == 409 and error.reason == "PROJECT_ARCHIVED"


async def test_sprint_points_follow_their_tasks_and_one_sprint_is_active(projects, identity_stub):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    project = await create_project(projects, owner)
    sprints = [
        (await projects.CreateSprint(pb.CreateSprintRequest(project_id=project.id, sprint=pb.Sprint(
            name=f"Sprint {i}", start_date="2026-03-02", end_date="2026-03-13")),
            metadata=token)).sprint
        for i in (1, 2)
    ]
    first = sprints[0]
    a = await add_task(projects, token, project.id, "A", sprint_id=first.id, story_points=5)
    await add_task(projects, token, project.id, "B", sprint_id=first.id, story_points=3)
    await projects.UpdateTask(pb.UpdateTaskRequest(
        id=a.id, task=pb.Task(status=pb.TASK_STATUS_DONE), update_mask=mask("status")),
        metadata=token)
    found = await projects.GetSprint(pb.GetSprintRequest(id=first.id), metadata=token)
    assert (found.sprint.total_points, found.sprint.completed_points) == (8, 5)
    activations = await asyncio.gather(*(
        projects.UpdateSprint(pb.UpdateSprintRequest(
            id=s.id, sprint=pb.Sprint(status=pb.SPRINT_STATUS_ACTIVE), update_mask=mask("status")),
            metadata=token)
        for s in sprints
    ), return_exceptions=True)
    assert sum(1 for result in activations if isinstance(result, Exception)) == 1
    active = await projects.ListSprints(
        pb.ListSprintsRequest(project_id=project.id, status=pb.SPRINT_STATUS_ACTIVE),
        metadata=token)
    assert len(active.sprints) == 1
    error = await rpc_error(projects.CreateSprint(pb.CreateSprintRequest(
        project_id=project.id, sprint=pb.Sprint(name="Bad", start_date="2026-03-10",
                                                end_date="2026-03-01")), metadata=token))
    assert error.field_errors[0].field == "end_date"
