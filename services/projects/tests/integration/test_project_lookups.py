"""GetProject and ResolveProject: what time, billing, capacity and forecasting ask for."""

from __future__ import annotations

import uuid

import nats
import pytest
from projects_helpers import (
    bearer,
    create_project,
    invite_and_join,
    new_org,
    next_event,
    rpc_error,
)

from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.projects.v1 import events_pb2
from labs.projects.v1 import projects_service_pb2 as pb

pytestmark = pytest.mark.integration


async def test_get_project_answers_the_budget_and_rate_override(projects, identity_stub):
    owner = await new_org(identity_stub)
    created = await create_project(
        projects,
        owner,
        client_name="Globex",
        budget_type=pb.BUDGET_TYPE_FIXED_FEE,
        budget_total="25000.00",
        budget_currency="EUR",
        budget_hours="200",
        billing_rate_override="150.5",
        start_date="2026-01-01",
        end_date="2026-06-30",
    )
    found = await projects.GetProject(
        pb.GetProjectRequest(id=created.id), metadata=bearer(owner.access_token)
    )
    project = found.project
    assert (project.budget_total, project.budget_currency, project.budget_hours) == (
        "25000.00",
        "EUR",
        "200.00",
    )
    assert project.billing_rate_override == "150.50"
    assert project.budget_type == pb.BUDGET_TYPE_FIXED_FEE
    assert project.status == pb.PROJECT_STATUS_PLANNING
    assert project.client_id and project.etag == created.etag


async def test_another_orgs_or_an_unknown_project_is_not_found(projects, identity_stub):
    owner = await new_org(identity_stub)
    stranger = await new_org(identity_stub)
    created = await create_project(projects, owner)
    for project_id, session in ((created.id, stranger), (str(uuid.uuid4()), owner)):
        error = await rpc_error(
            projects.GetProject(
                pb.GetProjectRequest(id=project_id), metadata=bearer(session.access_token)
            )
        )
        assert error.http_status == 404
    error = await rpc_error(
        projects.GetProject(pb.GetProjectRequest(id="x"), metadata=bearer(owner.access_token))
    )
    assert error.field_errors[0].field == "id"


async def test_resolve_finds_a_project_by_name_ignoring_case_and_spaces(projects, identity_stub):
    owner = await new_org(identity_stub)
    created = await create_project(projects, owner, name="Brand Refresh")
    resolved = await projects.ResolveProject(
        pb.ResolveProjectRequest(name="  brand REFRESH "), metadata=bearer(owner.access_token)
    )
    assert resolved.project.id == created.id and not resolved.created


async def test_resolve_without_create_missing_is_not_found(projects, identity_stub):
    owner = await new_org(identity_stub)
    error = await rpc_error(
        projects.ResolveProject(
            pb.ResolveProjectRequest(name="Nope"), metadata=bearer(owner.access_token)
        )
    )
    assert error.http_status == 404


async def test_resolve_with_create_missing_creates_once_and_announces_it(
    projects, identity_stub, nats_url
):
    owner = await new_org(identity_stub)
    connection = await nats.connect(nats_url)
    try:
        events = await connection.subscribe(
            f"labs.projects.v1.{owner.organization.id}.project.created"
        )
        first = await projects.ResolveProject(
            pb.ResolveProjectRequest(name="Imported Work", create_missing=True),
            metadata=bearer(owner.access_token),
        )
        again = await projects.ResolveProject(
            pb.ResolveProjectRequest(name="imported work", create_missing=True),
            metadata=bearer(owner.access_token),
        )
        assert first.created and not again.created
        assert again.project.id == first.project.id
        assert first.project.status == pb.PROJECT_STATUS_ACTIVE
        assert first.project.budget_type == pb.BUDGET_TYPE_TIME_AND_MATERIALS
        envelope = await next_event(events, "project.created")
        assert envelope.project_id == first.project.id
        assert envelope.org_id == owner.organization.id
        payload = events_pb2.ProjectCreated()
        envelope.payload.Unpack(payload)
        assert payload.project.name == "Imported Work"
    finally:
        await connection.drain()


async def test_a_member_may_resolve_but_not_create_projects(projects, identity_stub):
    owner = await new_org(identity_stub)
    member = await invite_and_join(identity_stub, owner, identity_pb.ROLE_MEMBER)
    await create_project(projects, owner, name="Existing")
    found = await projects.ResolveProject(
        pb.ResolveProjectRequest(name="existing", create_missing=True),
        metadata=bearer(member.access_token),
    )
    assert not found.created
    error = await rpc_error(
        projects.ResolveProject(
            pb.ResolveProjectRequest(name="Brand new", create_missing=True),
            metadata=bearer(member.access_token),
        )
    )
    assert error.http_status == 403


async def test_a_client_role_caller_sees_only_its_clients_projects(projects, identity_stub):
    owner = await new_org(identity_stub)
    mine = await create_project(projects, owner, client_name="Initech")
    other = await create_project(projects, owner, client_name="Umbrella")
    client_user = await invite_and_join(
        identity_stub, owner, identity_pb.ROLE_CLIENT, client_id=mine.client_id
    )
    token = bearer(client_user.access_token)
    seen = await projects.GetProject(pb.GetProjectRequest(id=mine.id), metadata=token)
    assert seen.project.id == mine.id
    error = await rpc_error(projects.GetProject(pb.GetProjectRequest(id=other.id), metadata=token))
    assert error.http_status == 404
