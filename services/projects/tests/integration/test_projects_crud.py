"""Clients and projects through the gRPC API: filters, pages, If-Match, the status workflow,
events, roles and bad input that writes nothing."""

from __future__ import annotations

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
from labs.projects.v1 import events_pb2
from labs.projects.v1 import projects_service_pb2 as pb

pytestmark = pytest.mark.integration


def mask(*paths: str) -> field_mask_pb2.FieldMask:
    return field_mask_pb2.FieldMask(paths=list(paths))


async def test_projects_list_filters_by_status_client_and_text_and_pages(projects, identity_stub):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    acme = await create_project(projects, owner, name="Acme rebrand", client_name="Acme")
    await create_project(projects, owner, name="Acme app", client_name="acme",
                         status=pb.PROJECT_STATUS_ACTIVE)
    await create_project(projects, owner, name="Internal tooling",
                         description="Deployment pipelines")
    by_client = await projects.ListProjects(
        pb.ListProjectsRequest(client_id=acme.client_id), metadata=token
    )
    assert sorted(p.name for p in by_client.projects) == ["Acme app", "Acme rebrand"]
    active = await projects.ListProjects(
        pb.ListProjectsRequest(status=pb.PROJECT_STATUS_ACTIVE), metadata=token
    )
    assert [p.name for p in active.projects] == ["Acme app"]
    text = await projects.ListProjects(pb.ListProjectsRequest(q="pipeline"), metadata=token)
    assert [p.name for p in text.projects] == ["Internal tooling"]
    first = await projects.ListProjects(pb.ListProjectsRequest(page_size=2), metadata=token)
    second = await projects.ListProjects(
        pb.ListProjectsRequest(page_size=2, page_token=first.next_page_token), metadata=token
    )
    assert [p.name for p in first.projects] == ["Internal tooling", "Acme app"]
    assert [p.name for p in second.projects] == ["Acme rebrand"] and not second.next_page_token


async def test_an_update_with_a_stale_etag_fails_and_changes_nothing(projects, identity_stub):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    created = await create_project(projects, owner, name="Before")
    updated = await projects.UpdateProject(
        pb.UpdateProjectRequest(id=created.id, project=pb.Project(name="After"),
                                update_mask=mask("name"), if_match_etags=[created.etag]),
        metadata=token,
    )
    assert updated.project.name == "After" and updated.project.etag != created.etag
    error = await rpc_error(projects.UpdateProject(
        pb.UpdateProjectRequest(id=created.id, project=pb.Project(name="Lost"),
                                update_mask=mask("name"), if_match_etags=[created.etag]),
        metadata=token,
    ))
    assert error.http_status == 412
    found = await projects.GetProject(pb.GetProjectRequest(id=created.id), metadata=token)
    assert found.project.name == "After"


async def test_status_changes_follow_the_workflow_and_are_announced(
    projects, identity_stub, nats_url
):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    created = await create_project(projects, owner)
    connection = await nats.connect(nats_url)
    try:
        events = await connection.subscribe(f"labs.projects.v1.{owner.organization.id}.>")
        error = await rpc_error(projects.UpdateProject(
            pb.UpdateProjectRequest(id=created.id,
                                    project=pb.Project(status=pb.PROJECT_STATUS_COMPLETED),
                                    update_mask=mask("status")),
            metadata=token,
        ))
        assert error.http_status == 409 and error.reason == "INVALID_STATUS_TRANSITION"
        await projects.UpdateProject(
            pb.UpdateProjectRequest(id=created.id,
                                    project=pb.Project(status=pb.PROJECT_STATUS_ACTIVE),
                                    update_mask=mask("status")),
            metadata=token,
        )
        envelope = await next_event(events, "project.status_changed")
        payload = events_pb2.ProjectStatusChanged()
        envelope.payload.Unpack(payload)
        assert envelope.project_id == created.id
        assert (payload.old_status, payload.new_status) == (
            pb.PROJECT_STATUS_PLANNING, pb.PROJECT_STATUS_ACTIVE)
        await projects.DeleteProject(pb.DeleteProjectRequest(id=created.id), metadata=token)
        assert (await next_event(events, "project.archived")).project_id == created.id
    finally:
        await connection.drain()
    listed = await projects.ListProjects(pb.ListProjectsRequest(), metadata=token)
    assert created.id not in [p.id for p in listed.projects]
    archived = await projects.GetProject(pb.GetProjectRequest(id=created.id), metadata=token)
    assert archived.project.status == pb.PROJECT_STATUS_ARCHIVED


async def test_bad_input_names_the_field_and_creates_nothing(projects, identity_stub):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    cases = {
        "budget_total": pb.Project(name="X", budget_total="12.345"),
        "budget_currency": pb.Project(name="X", budget_currency="dollars"),
        "end_date": pb.Project(name="X", start_date="2026-05-01", end_date="2026-04-01"),
        "start_date": pb.Project(name="X", start_date="2026-13-01"),
        "client_id": pb.Project(name="X", client_id="6f1c1b7e-64a4-4b4e-9d7e-8a1c6a3f1e11"),
        "project_manager_id": pb.Project(
            name="X", project_manager_id="6f1c1b7e-64a4-4b4e-9d7e-8a1c6a3f1e11"),
        "name": pb.Project(name="   "),
        "description": pb.Project(name="X", description="nul \x00 byte"),
        "billing_rate_override": pb.Project(name="X", billing_rate_override="99999999999"),
    }
    for field, message in cases.items():
        error = await rpc_error(
            projects.CreateProject(pb.CreateProjectRequest(project=message, client_name="New Co"),
                                   metadata=token)
        )
        assert error.http_status == 422, field
        assert [f.field for f in error.field_errors] == [field]
    error = await rpc_error(projects.ListProjects(pb.ListProjectsRequest(q="a\x00"),
                                                  metadata=token))
    assert error.field_errors[0].field == "q"
    # The client named on those failed creates was never written.
    assert not (await projects.ListProjects(pb.ListProjectsRequest(), metadata=token)).projects
    assert not (await projects.ListClients(pb.ListClientsRequest(), metadata=token)).clients


async def test_a_project_manager_must_be_a_staff_member(projects, identity_stub):
    owner = await new_org(identity_stub)
    manager = await invite_and_join(identity_stub, owner, identity_pb.ROLE_MANAGER)
    created = await create_project(projects, owner, project_manager_id=manager.user.id)
    assert created.project_manager_id == manager.user.id
    stranger = await new_org(identity_stub)
    error = await rpc_error(projects.UpdateProject(
        pb.UpdateProjectRequest(id=created.id,
                                project=pb.Project(project_manager_id=stranger.user.id),
                                update_mask=mask("project_manager_id")),
        metadata=bearer(owner.access_token),
    ))
    assert error.field_errors[0].field == "project_manager_id"


async def test_members_and_viewers_cannot_write_projects_and_clients_see_nothing_else(
    projects, identity_stub
):
    owner = await new_org(identity_stub)
    created = await create_project(projects, owner, client_name="Hooli")
    member = await invite_and_join(identity_stub, owner, identity_pb.ROLE_MEMBER)
    client_user = await invite_and_join(
        identity_stub, owner, identity_pb.ROLE_CLIENT, client_id=created.client_id)
    denied = await rpc_error(projects.DeleteProject(
        pb.DeleteProjectRequest(id=created.id), metadata=bearer(member.access_token)))
    assert denied.http_status == 403
    hidden = await rpc_error(projects.DeleteProject(
        pb.DeleteProjectRequest(id=created.id), metadata=bearer(client_user.access_token)))
    assert hidden.http_status == 404
    other = await create_project(projects, owner, client_name="Pied Piper")
    seen = await projects.ListProjects(
        pb.ListProjectsRequest(), metadata=bearer(client_user.access_token))
    assert [p.id for p in seen.projects] == [created.id]
    clients = await projects.ListClients(
        pb.ListClientsRequest(), metadata=bearer(client_user.access_token))
    assert [c.id for c in clients.clients] == [created.client_id]
    assert other.client_id != created.client_id


async def test_client_names_are_unique_ignoring_case_and_updates_check_the_etag(
    projects, identity_stub
):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    created = await projects.CreateClient(pb.CreateClientRequest(name="Wayne"), metadata=token)
    duplicate = await rpc_error(
        projects.CreateClient(pb.CreateClientRequest(name="WAYNE"), metadata=token))
    assert duplicate.http_status == 409 and duplicate.field_errors[0].field == "name"
    updated = await projects.UpdateClient(
        pb.UpdateClientRequest(id=created.client.id, client=pb.Client(currency="eur"),
                               update_mask=mask("currency"),
                               if_match_etags=[created.client.etag]),
        metadata=token,
    )
    assert updated.client.currency == "EUR"
    stale = await rpc_error(projects.UpdateClient(
        pb.UpdateClientRequest(id=created.client.id, client=pb.Client(name="Bruce"),
                               update_mask=mask("name"), if_match_etags=[created.client.etag]),
        metadata=token,
    ))
    assert stale.http_status == 412
    await projects.DeleteClient(pb.DeleteClientRequest(id=created.client.id), metadata=token)
    listed = await projects.ListClients(pb.ListClientsRequest(), metadata=token)
    assert not listed.clients
