"""The activity feed hears every service's events: immutable entries, newest first, filters."""

from __future__ import annotations

import asyncio
import time

import pytest
from google.protobuf import field_mask_pb2
from projects_helpers import bearer, create_project, invite_and_join, new_org, rpc_error
from sqlalchemy import text

from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.projects.v1 import projects_service_pb2 as pb
from labs_common.db.uow import Scope

pytestmark = pytest.mark.integration


async def feed_until(projects, token, predicate, timeout: float = 15.0, **filters):
    """The feed once `predicate(activities)` holds; polls with a deadline."""
    deadline = time.monotonic() + timeout
    while True:
        found = await projects.ListActivities(pb.ListActivitiesRequest(**filters), metadata=token)
        if predicate(found.activities):
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"feed never matched: {[a.action for a in found.activities]}")
        await asyncio.sleep(0.1)


async def test_the_feed_records_events_of_every_service_newest_first(projects, identity_stub):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    project = await create_project(projects, owner)
    await projects.UpdateProject(pb.UpdateProjectRequest(
        id=project.id, project=pb.Project(status=pb.PROJECT_STATUS_ACTIVE),
        update_mask=field_mask_pb2.FieldMask(paths=["status"])), metadata=token)
    feed = await feed_until(projects, token, lambda entries: {
        "organization.created", "project.created", "project.status_changed"
    } <= {a.action for a in entries})
    actions = [a.action for a in feed.activities]
    assert actions.index("project.status_changed") < actions.index("project.created")
    created = next(a for a in feed.activities if a.action == "project.created")
    assert (created.entity_type, created.entity_id, created.project_id, created.source) == (
        "project", project.id, project.id, "projects")
    assert created.user_id == owner.user.id
    assert created.metadata["project"]["name"] == project.name
    identity = next(a for a in feed.activities if a.action == "organization.created")
    assert identity.source == "identity"
    only_projects = await projects.ListActivities(
        pb.ListActivitiesRequest(entity_type="project", project_id=project.id), metadata=token)
    assert {a.entity_type for a in only_projects.activities} == {"project"}


async def test_the_feed_pages_and_filters_by_user(projects, identity_stub):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    for _ in range(3):
        await create_project(projects, owner)
    await feed_until(projects, token, lambda entries: sum(
        a.action == "project.created" for a in entries) == 3)
    first = await projects.ListActivities(
        pb.ListActivitiesRequest(page_size=2, user_id=owner.user.id), metadata=token)
    rest = await projects.ListActivities(
        pb.ListActivitiesRequest(page_size=50, user_id=owner.user.id,
                                 page_token=first.next_page_token), metadata=token)
    ids = [a.id for a in first.activities] + [a.id for a in rest.activities]
    assert len(ids) == len(set(ids)) >= 4
    times = [a.created_at.ToDatetime() for a in [*first.activities, *rest.activities]]
    assert times == sorted(times, reverse=True)


async def test_entries_cannot_be_rewritten(projects_service, projects, identity_stub):
    owner = await new_org(identity_stub)
    await create_project(projects, owner)
    await feed_until(projects, bearer(owner.access_token), lambda entries: len(entries) > 0)
    async with projects_service.runtime.uow(Scope.of_system()) as uow:
        with pytest.raises(Exception, match="immutable"):
            await uow.session.execute(text("UPDATE activities SET action = 'forged'"))


async def test_a_client_sees_only_its_projects_activity_and_another_org_nothing(
    projects, identity_stub
):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    mine = await create_project(projects, owner, client_name="Soylent")
    other = await create_project(projects, owner, client_name="Tyrell")
    client_user = await invite_and_join(identity_stub, owner, identity_pb.ROLE_CLIENT,
                                        client_id=mine.client_id)
    await feed_until(projects, token, lambda entries: {mine.id, other.id} <= {
        a.project_id for a in entries})
    seen = await projects.ListActivities(pb.ListActivitiesRequest(),
                                         metadata=bearer(client_user.access_token))
    assert {a.project_id for a in seen.activities} == {mine.id}
    stranger = await new_org(identity_stub)
    theirs = await projects.ListActivities(
        pb.ListActivitiesRequest(project_id=mine.id), metadata=bearer(stranger.access_token))
    assert list(theirs.activities) == []
    error = await rpc_error(projects.ListActivities(
        pb.ListActivitiesRequest(user_id="nope"), metadata=token))
    assert error.field_errors[0].field == "user_id"
