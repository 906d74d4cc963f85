"""Comments on tasks: the one thing a client-role caller may write. Authors edit and delete
their own; viewers only read. And search over what the caller may see."""

from __future__ import annotations

import uuid

from labs.projects.v1 import events_pb2
from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import Conflict, InvalidArgument, NotFound, PermissionDenied
from labs_projects.adapters import proto
from labs_projects.domain import commands, rules
from labs_projects.domain.model import Comment, ProjectStatus, SearchHit
from labs_projects.service_layer.access import is_client
from labs_projects.service_layer.projects import load_project
from labs_projects.service_layer.tasks import load_task
from labs_projects.service_layer.unit_of_work import ProjectsUnitOfWork

MAX_BODY = 10_000
MAX_QUERY = 200
MAX_RESULTS = 100


def check_body(body: str) -> str:
    body = rules.check_storable(body, "body").strip()
    if not body:
        raise InvalidArgument.on("body", "is required")
    if len(body) > MAX_BODY:
        raise InvalidArgument.on("body", f"must be at most {MAX_BODY} characters")
    return body


def _require_commenter(principal: Principal) -> None:
    if not is_client(principal):
        principal.require(Role.MEMBER)


async def create_comment(command: commands.CreateComment, uow: ProjectsUnitOfWork) -> Comment:
    principal = uow.caller
    body = check_body(command.body)
    task = await load_task(uow, principal, command.task_id)
    _require_commenter(principal)
    project = await load_project(uow, principal, task.project_id)
    if project.status is ProjectStatus.ARCHIVED:
        raise Conflict("The project is archived; restore it first.", reason="PROJECT_ARCHIVED")
    comment = await uow.comments.add(Comment(
        id=uuid.uuid4(), org_id=principal.org_id, task_id=task.id, project_id=task.project_id,
        author_id=principal.user_id, body=body))
    await uow.outbox.add("comment.created",
                         events_pb2.CommentCreated(comment=proto.comment(comment)),
                         project_id=comment.project_id)
    return comment


async def list_comments(command: commands.ListComments, uow: ProjectsUnitOfWork) -> list[Comment]:
    principal = uow.caller
    task = await load_task(uow, principal, command.task_id)
    return await uow.comments.page(task.id, command.after, command.limit)


async def _own_comment(uow: ProjectsUnitOfWork, principal: Principal,
                       comment_id: uuid.UUID) -> Comment:
    comment = await uow.comments.get(comment_id, for_update=True)
    if comment is None:
        raise NotFound("No such comment.")
    try:
        await load_task(uow, principal, comment.task_id)
    except NotFound:
        raise NotFound("No such comment.") from None
    if comment.author_id != principal.user_id:
        raise PermissionDenied("Only its author may change a comment.", reason="NOT_AUTHOR")
    return comment


async def update_comment(command: commands.UpdateComment, uow: ProjectsUnitOfWork) -> Comment:
    principal = uow.caller
    body = check_body(command.body)
    comment = await _own_comment(uow, principal, command.comment_id)
    if comment.body == body:
        return comment
    comment = await uow.comments.edit(comment.id, body)
    await uow.outbox.add("comment.updated",
                         events_pb2.CommentUpdated(comment=proto.comment(comment)),
                         project_id=comment.project_id)
    return comment


async def delete_comment(command: commands.DeleteComment, uow: ProjectsUnitOfWork) -> None:
    principal = uow.caller
    comment = await _own_comment(uow, principal, command.id)
    await uow.comments.delete(comment.id)
    await uow.outbox.add("comment.deleted",
                         events_pb2.CommentDeleted(comment_id=str(comment.id),
                                                   task_id=str(comment.task_id)),
                         project_id=comment.project_id)


async def search(command: commands.Search, uow: ProjectsUnitOfWork) -> list[SearchHit]:
    principal = uow.caller
    q = command.q
    q = rules.check_storable(q, "q").strip()
    if not q:
        raise InvalidArgument.on("q", "is required")
    if len(q) > MAX_QUERY:
        raise InvalidArgument.on("q", f"must be at most {MAX_QUERY} characters")
    if command.limit < 0 or command.limit > MAX_RESULTS:
        raise InvalidArgument.on("limit", f"must be between 1 and {MAX_RESULTS}")
    client_id = None
    if is_client(principal):
        if principal.client_id is None:
            return []
        client_id = principal.client_id
    return await uow.comments.search(q, command.limit or 20, client_id=client_id)
