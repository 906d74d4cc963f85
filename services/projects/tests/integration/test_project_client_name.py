"""Every project the repository reads or writes carries its client's name, joined from the
clients table in the same query (get, get for update, list, by name, insert and update), so the
gRPC answers and the project events agree, and a renamed client shows under its new name."""

from __future__ import annotations

import nats
import pytest
from google.protobuf import field_mask_pb2
from projects_helpers import bearer, create_project, invite_and_join, new_org, next_event

from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.projects.v1 import events_pb2
from labs.projects.v1 import projects_service_pb2 as pb

pytestmark = pytest.mark.integration


def _payload(envelope, message_type):
    payload = message_type()
    envelope.payload.Unpack(payload)
    return payload


async def test_projects_carry_their_clients_name_everywhere(projects, identity_stub, nats_url):
    owner = await new_org(identity_stub)
    token = bearer(owner.access_token)
    connection = await nats.connect(nats_url)
    try:
        events = await connection.subscribe(f"labs.projects.v1.{owner.organization.id}.>")
        site = await create_project(projects, owner, name="Site", client_name="Globex")
        assert site.client_name == "Globex"
        created = _payload(await next_event(events, "project.created"), events_pb2.ProjectCreated)
        assert created.project.client_name == "Globex"
        internal = await create_project(projects, owner, name="Internal")
        assert internal.client_name == ""

        # An update locks the project row (not the client's, on the nullable side of the join).
        updated = await projects.UpdateProject(
            pb.UpdateProjectRequest(
                id=site.id, project=pb.Project(status=pb.PROJECT_STATUS_ACTIVE),
                update_mask=field_mask_pb2.FieldMask(paths=["status"])),
            metadata=token)
        assert updated.project.client_name == "Globex"
        changed = _payload(await next_event(events, "project.status_changed"),
                           events_pb2.ProjectStatusChanged)
        assert changed.project.client_name == "Globex"

        renamed = await projects.UpdateClient(
            pb.UpdateClientRequest(id=site.client_id, client=pb.Client(name="Globex Corp"),
                                   update_mask=field_mask_pb2.FieldMask(paths=["name"])),
            metadata=token)
        assert renamed.client.name == "Globex Corp"
        found = await projects.GetProject(pb.GetProjectRequest(id=site.id), metadata=token)
        assert found.project.client_name == "Globex Corp"
        listed = await projects.ListProjects(pb.ListProjectsRequest(), metadata=token)
        assert {p.id: p.client_name for p in listed.projects} == {
            site.id: "Globex Corp", internal.id: ""}
        moved = await projects.UpdateProject(
            pb.UpdateProjectRequest(
                id=internal.id, project=pb.Project(client_id=site.client_id),
                update_mask=field_mask_pb2.FieldMask(paths=["client_id"])),
            metadata=token)
        assert moved.project.client_name == "Globex Corp"
        await projects.DeleteProject(pb.DeleteProjectRequest(id=site.id), metadata=token)
        archived = _payload(await next_event(events, "project.archived"),
                            events_pb2.ProjectArchived)
        assert (archived.project.id, archived.project.client_name) == (site.id, "Globex Corp")
    finally:
        await connection.drain()

    resolved = await projects.ResolveProject(
        pb.ResolveProjectRequest(name="internal"), metadata=token)
    assert resolved.project.client_name == "Globex Corp"
    portal = await invite_and_join(identity_stub, owner, identity_pb.ROLE_CLIENT,
                                   client_id=site.client_id)
    seen = await projects.ListProjects(pb.ListProjectsRequest(),
                                       metadata=bearer(portal.access_token))
    assert [(p.id, p.client_name) for p in seen.projects] == [(internal.id, "Globex Corp")]
