"""A task's github_issue_number: set on create and update, > 0, one task per issue in a project
(a clash is ALREADY_EXISTS naming the field; another project may use the number), cleared with an
empty mask value, and the ListTasks filter that finds the task of an issue."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from google.protobuf import field_mask_pb2
from projects_helpers import bearer, create_project, new_org, rpc_error

from labs.projects.v1 import projects_service_pb2 as pb
from labs_common.errors import AlreadyExists, InvalidArgument

pytestmark = pytest.mark.integration


def mask(*paths: str) -> field_mask_pb2.FieldMask:
    return field_mask_pb2.FieldMask(paths=list(paths))


async def add_task(projects, token, project_id, title, **fields) -> pb.Task:
    created = await projects.CreateTask(
        pb.CreateTaskRequest(project_id=project_id, task=pb.Task(title=title, **fields)),
        metadata=token)
    return created.task


async def of_issue(projects, token, project_id, number) -> list[str]:
    listed = await projects.ListTasks(pb.ListTasksRequest(
        project_id=project_id, github_issue_number=number), metadata=token)
    return [task.title for task in listed.tasks]


async def test_an_issue_number_is_one_task_of_a_project(projects, identity_stub):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    project = await create_project(projects, owner)
    other = await create_project(projects, owner)
    first = await add_task(projects, token, project.id, "Login breaks", github_issue_number=12)
    assert first.HasField("github_issue_number") and first.github_issue_number == 12
    plain = await add_task(projects, token, project.id, "No issue")
    assert not plain.HasField("github_issue_number")
    # The same number in another project is another repository's issue.
    await add_task(projects, token, other.id, "Elsewhere", github_issue_number=12)

    clash = await rpc_error(add_task(projects, token, project.id, "Again",
                                     github_issue_number=12))
    assert isinstance(clash, AlreadyExists)
    assert [e.field for e in clash.field_errors] == ["github_issue_number"]
    moved = await rpc_error(projects.UpdateTask(pb.UpdateTaskRequest(
        id=plain.id, task=pb.Task(github_issue_number=12),
        update_mask=mask("github_issue_number")), metadata=token))
    assert isinstance(moved, AlreadyExists)
    for bad in (0, -3):
        refused = await rpc_error(add_task(projects, token, project.id, "Bad",
                                           github_issue_number=bad))
        assert isinstance(refused, InvalidArgument)
        assert [e.field for e in refused.field_errors] == ["github_issue_number"]

    assert await of_issue(projects, token, project.id, 12) == ["Login breaks"]
    assert await of_issue(projects, token, project.id, 13) == []
    assert len(await of_issue(projects, token, project.id, 0)) == 2  # 0: no filter

    # Cleared (an unset optional in the mask), the number is free for another task.
    cleared = await projects.UpdateTask(pb.UpdateTaskRequest(
        id=first.id, task=pb.Task(), update_mask=mask("github_issue_number")), metadata=token)
    assert not cleared.task.HasField("github_issue_number")
    taken = await projects.UpdateTask(pb.UpdateTaskRequest(
        id=plain.id, task=pb.Task(github_issue_number=12),
        update_mask=mask("github_issue_number")), metadata=token)
    assert taken.task.github_issue_number == 12


async def test_concurrent_creates_of_one_issue_make_one_task(projects, identity_stub):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    project = await create_project(projects, owner)
    outcomes = await asyncio.gather(
        *(add_task(projects, token, project.id, f"Copy {i}", github_issue_number=7)
          for i in range(4)), return_exceptions=True)
    made = [o for o in outcomes if isinstance(o, pb.Task)]
    assert len(made) == 1, outcomes
    # The others lose under the board lock: a 409, never a unique-index failure (500).
    assert {o.code() for o in outcomes if not isinstance(o, pb.Task)} == {
        grpc.StatusCode.ALREADY_EXISTS}
    assert len(await of_issue(projects, token, project.id, 7)) == 1
