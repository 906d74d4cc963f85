"""ListProjectAllocations on PostgreSQL: a project's allocations with their resources' names in
one query, by start date then name, inside the caller's org only; staff read them, the client
role is refused."""

from __future__ import annotations

import uuid

import pytest
from capacity_helpers import (
    allocate,
    bearer,
    create_project,
    create_resource,
    join_as,
    rpc_error,
    signup,
)

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.projects.v1 import projects_service_pb2 as projects_pb

pytestmark = pytest.mark.integration


async def test_a_projects_allocations_come_with_names_in_order(
    stub, identity_stub, projects_stub
):
    owner = await signup(identity_stub)
    ada = await create_resource(stub, owner, name="Ada")
    bo = await create_resource(stub, owner, name="Bo")
    site = await create_project(projects_stub, owner)
    other = await create_project(projects_stub, owner)
    later = await allocate(stub, owner, ada.id, site.id, "10", "2027-04-05", "2027-04-30",
                           tentative=True)
    bo_first = await allocate(stub, owner, bo.id, site.id, "20", "2027-03-01", "2027-03-28")
    ada_first = await allocate(stub, owner, ada.id, site.id, "7.5", "2027-03-01", "2027-03-28")
    await allocate(stub, owner, bo.id, other.id, "5", "2027-03-01", "2027-03-28")

    viewer = await join_as(identity_stub, owner, identity_pb.ROLE_VIEWER)
    answer = await stub.ListProjectAllocations(
        pb.ListProjectAllocationsRequest(project_id=site.id), metadata=bearer(viewer.access_token))
    assert [(a.allocation.id, a.resource_name, a.allocation.allocated_hours,
             a.allocation.tentative) for a in answer.allocations] == [
        (ada_first.id, "Ada", "7.50", False), (bo_first.id, "Bo", "20.00", False),
        (later.id, "Ada", "10.00", True)]
    assert answer.allocations[0].allocation.start_date == "2027-03-01"

    stranger = await signup(identity_stub)
    theirs = await stub.ListProjectAllocations(
        pb.ListProjectAllocationsRequest(project_id=site.id),
        metadata=bearer(stranger.access_token))
    assert list(theirs.allocations) == []
    client = await projects_stub.CreateClient(
        projects_pb.CreateClientRequest(name=f"Client {uuid.uuid4().hex[:6]}"),
        metadata=bearer(owner.access_token))
    portal = await join_as(identity_stub, owner, identity_pb.ROLE_CLIENT,
                           client_id=client.client.id)
    refused = await rpc_error(stub.ListProjectAllocations(
        pb.ListProjectAllocationsRequest(project_id=site.id),
        metadata=bearer(portal.access_token)))
    assert refused.http_status == 403
    malformed = await rpc_error(stub.ListProjectAllocations(
        pb.ListProjectAllocationsRequest(project_id="not-a-uuid"),
        metadata=bearer(owner.access_token)))
    assert malformed.field_errors[0].field == "project_id"
    none = await stub.ListProjectAllocations(
        pb.ListProjectAllocationsRequest(project_id=str(uuid.uuid4())),
        metadata=bearer(owner.access_token))
    assert list(none.allocations) == []

