"""Comments (edit and delete your own; the client portal may comment) and full-text search
that ranks, highlights and never crosses tenants or a client's projects."""

from __future__ import annotations

import pytest
from projects_helpers import bearer, create_project, invite_and_join, new_org, rpc_error

from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.projects.v1 import projects_service_pb2 as pb

pytestmark = pytest.mark.integration


async def add_task(projects, token, project_id, title, description="") -> pb.Task:
    return (await projects.CreateTask(pb.CreateTaskRequest(
        project_id=project_id, task=pb.Task(title=title, description=description)),
        metadata=token)).task


async def test_authors_edit_and_delete_their_own_comments_only(projects, identity_stub):
    owner = await new_org(identity_stub)
    member = await invite_and_join(identity_stub, owner, identity_pb.ROLE_MEMBER)
    viewer = await invite_and_join(identity_stub, owner, identity_pb.ROLE_VIEWER)
    project = await create_project(projects, owner)
    task = await add_task(projects, bearer(owner.access_token), project.id, "Homepage")
    said = (await projects.CreateComment(pb.CreateCommentRequest(
        task_id=task.id, body="Looks great"), metadata=bearer(member.access_token))).comment
    assert said.author_id == member.user.id and not said.HasField("edited_at")
    edited = await projects.UpdateComment(pb.UpdateCommentRequest(id=said.id, body="Looks good"),
                                          metadata=bearer(member.access_token))
    assert edited.comment.body == "Looks good" and edited.comment.HasField("edited_at")
    not_yours = await rpc_error(projects.UpdateComment(
        pb.UpdateCommentRequest(id=said.id, body="Hijacked"), metadata=bearer(owner.access_token)))
    assert not_yours.http_status == 403
    viewer_error = await rpc_error(projects.CreateComment(
        pb.CreateCommentRequest(task_id=task.id, body="Hi"), metadata=bearer(viewer.access_token)))
    assert viewer_error.http_status == 403
    empty = await rpc_error(projects.CreateComment(
        pb.CreateCommentRequest(task_id=task.id, body="  "), metadata=bearer(owner.access_token)))
    assert empty.field_errors[0].field == "body"
    await projects.DeleteComment(pb.DeleteCommentRequest(id=said.id),
                                 metadata=bearer(member.access_token))
    listed = await projects.ListComments(pb.ListCommentsRequest(task_id=task.id),
                                         metadata=bearer(owner.access_token))
    assert list(listed.comments) == []


async def test_the_client_portal_reads_its_tasks_and_may_only_comment(projects, identity_stub):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    mine = await create_project(projects, owner, client_name="Cyberdyne")
    other = await create_project(projects, owner, client_name="Aperture")
    task = await add_task(projects, token, mine.id, "Design review")
    hidden = await add_task(projects, token, other.id, "Secret plan")
    client_user = await invite_and_join(identity_stub, owner, identity_pb.ROLE_CLIENT,
                                        client_id=mine.client_id)
    client_token = bearer(client_user.access_token)
    seen = await projects.ListTasks(pb.ListTasksRequest(project_id=mine.id), metadata=client_token)
    assert [t.id for t in seen.tasks] == [task.id]
    comment = await projects.CreateComment(
        pb.CreateCommentRequest(task_id=task.id, body="Approved"), metadata=client_token)
    assert comment.comment.author_id == client_user.user.id
    for call in (
        projects.GetTask(pb.GetTaskRequest(id=hidden.id), metadata=client_token),
        projects.CreateComment(pb.CreateCommentRequest(task_id=hidden.id, body="Peek"),
                               metadata=client_token),
        projects.CreateTask(pb.CreateTaskRequest(project_id=mine.id, task=pb.Task(title="X")),
                            metadata=client_token),
        projects.DeleteTask(pb.DeleteTaskRequest(id=task.id), metadata=client_token),
        projects.CreateClient(pb.CreateClientRequest(name="Me"), metadata=client_token),
        projects.ListTasks(pb.ListTasksRequest(project_id=other.id), metadata=client_token),
    ):
        assert (await rpc_error(call)).http_status == 404


async def test_search_ranks_highlights_and_stays_in_the_tenant(projects, identity_stub):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    project = await create_project(projects, owner, name="Checkout redesign",
                                   description="New payment flow for the shop")
    task = await add_task(projects, token, project.id, "Payment provider",
                          "Integrate the payment provider API")
    await add_task(projects, token, project.id, "Footer links")
    comment = (await projects.CreateComment(pb.CreateCommentRequest(
        task_id=task.id, body="Payments must support refunds"), metadata=token)).comment
    found = await projects.Search(pb.SearchRequest(q="payment"), metadata=token)
    assert {(r.type, r.id) for r in found.results} == {
        ("project", project.id), ("task", task.id), ("comment", comment.id)}
    assert found.results[0].type == "task"  # title and body both match: the best hit
    assert all("<mark>" in r.snippet for r in found.results)
    assert all(r.project_id == project.id for r in found.results)
    commented = next(r for r in found.results if r.type == "comment")
    assert commented.title == "Payment provider"
    stranger = await new_org(identity_stub)
    await create_project(projects, stranger, name="Payment gateway")
    theirs = await projects.Search(pb.SearchRequest(q="payment"),
                                   metadata=bearer(stranger.access_token))
    assert [r.type for r in theirs.results] == ["project"]
    error = await rpc_error(projects.Search(pb.SearchRequest(q=" "), metadata=token))
    assert error.field_errors[0].field == "q"


async def test_a_client_searches_only_its_clients_projects(projects, identity_stub):
    owner = await new_org(identity_stub)
    mine = await create_project(projects, owner, name="Launch site", client_name="Oscorp")
    await create_project(projects, owner, name="Launch app", client_name="Stark")
    client_user = await invite_and_join(identity_stub, owner, identity_pb.ROLE_CLIENT,
                                        client_id=mine.client_id)
    found = await projects.Search(pb.SearchRequest(q="launch"),
                                  metadata=bearer(client_user.access_token))
    assert [r.id for r in found.results] == [mine.id]
