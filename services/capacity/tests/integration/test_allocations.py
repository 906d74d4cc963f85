"""Allocations: checked against the projects service, shown per resource with utilization, and
announced (with rates) for forecasting."""

from __future__ import annotations

import uuid

import grpc
import nats
import pytest
from capacity_helpers import (
    allocate,
    bearer,
    create_project,
    create_resource,
    events_of,
    join_as,
    rpc_error,
    signup,
)
from google.protobuf import field_mask_pb2

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs.capacity.v1 import events_pb2
from labs.identity.v1 import identity_service_pb2 as identity_pb

pytestmark = pytest.mark.integration


async def test_an_allocation_shows_on_its_resource_with_utilization(
    stub, identity_stub, projects_stub
):
    owner = await signup(identity_stub)
    person = await create_resource(stub, owner)
    project = await create_project(projects_stub, owner)
    created = await allocate(stub, owner, person.id, project.id, "30", "2026-03-02", "2026-03-29")

    listed = await stub.ListResourceAllocations(
        pb.ListResourceAllocationsRequest(resource_id=person.id, start_week="2026-03-04", weeks=4),
        metadata=bearer(owner.access_token),
    )
    assert [a.id for a in listed.allocations] == [created.id]
    assert created.allocated_hours == "30.00" and not created.tentative
    assert listed.utilization_percent == "75.0"


async def test_allocating_to_a_project_of_another_org_or_none_is_refused(
    stub, identity_stub, projects_stub
):
    owner = await signup(identity_stub)
    stranger = await signup(identity_stub)
    person = await create_resource(stub, owner)
    theirs = await create_project(projects_stub, stranger)
    for project_id in (theirs.id, str(uuid.uuid4())):
        error = await rpc_error(
            allocate(stub, owner, person.id, project_id, "10", "2026-03-02", "2026-03-08")
        )
        assert error.field_errors[0].field == "project_id"


@pytest.mark.parametrize(
    ("hours", "start", "end", "field"),
    [
        ("0", "2026-03-02", "2026-03-08", "allocated_hours"),
        ("169", "2026-03-02", "2026-03-08", "allocated_hours"),
        ("ten", "2026-03-02", "2026-03-08", "allocated_hours"),
        ("10", "2026-03-09", "2026-03-02", "end_date"),
        ("10", "2026-02-30", "2026-03-08", "start_date"),
        ("10", "2026-03-02", "2036-03-08", "end_date"),
    ],
)
async def test_bad_allocations_name_the_field(
    stub, identity_stub, projects_stub, hours, start, end, field
):
    owner = await signup(identity_stub)
    person = await create_resource(stub, owner)
    project = await create_project(projects_stub, owner)
    error = await rpc_error(allocate(stub, owner, person.id, project.id, hours, start, end))
    assert error.field_errors[0].field == field


async def test_update_and_delete_announce_the_change_with_rates(
    stub, identity_stub, projects_stub, capacity_nats_url
):
    owner = await signup(identity_stub)
    connection = await nats.connect(capacity_nats_url)
    subscription = await connection.subscribe(
        f"labs.capacity.v1.{owner.organization.id}.allocation.changed"
    )
    try:
        person = await create_resource(stub, owner, billing_rate="120.00", cost_rate="50.00")
        project = await create_project(projects_stub, owner)
        created = await allocate(
            stub, owner, person.id, project.id, "20", "2026-04-06", "2026-04-30", tentative=True
        )
        updated = await stub.UpdateAllocation(
            pb.UpdateAllocationRequest(
                allocation=pb.Allocation(id=created.id, allocated_hours="25", tentative=False),
                update_mask=field_mask_pb2.FieldMask(paths=["allocated_hours", "tentative"]),
                if_match_etags=[created.etag],
            ),
            metadata=bearer(owner.access_token),
        )
        await stub.DeleteAllocation(
            pb.DeleteAllocationRequest(id=created.id), metadata=bearer(owner.access_token)
        )
        envelopes = await events_of(subscription, "allocation.changed", count=3)
    finally:
        await connection.drain()

    changes = []
    for envelope in envelopes:
        payload = events_pb2.AllocationChanged()
        envelope.payload.Unpack(payload)
        assert envelope.project_id == ""  # kept out of project rooms: it carries cost rates
        assert payload.allocation.project_id == project.id
        changes.append(payload)
    assert [c.change for c in changes] == [
        events_pb2.ALLOCATION_CHANGE_CREATED,
        events_pb2.ALLOCATION_CHANGE_UPDATED,
        events_pb2.ALLOCATION_CHANGE_DELETED,
    ]
    assert updated.allocation.allocated_hours == "25.00" and not updated.allocation.tentative
    assert changes[1].previous.allocated_hours == "20.00" and changes[1].previous.tentative
    assert (changes[1].billing_rate, changes[1].cost_rate, changes[1].currency) == (
        "120.00", "50.00", "USD"
    )
    assert changes[1].allocation.resource_id == person.id
    assert (changes[1].allocation.start_date, changes[1].allocation.end_date) == (
        "2026-04-06", "2026-04-30"
    )
    listed = await stub.ListResourceAllocations(
        pb.ListResourceAllocationsRequest(resource_id=person.id, start_week="2026-04-06"),
        metadata=bearer(owner.access_token),
    )
    assert list(listed.allocations) == []


async def test_members_cannot_allocate_and_other_orgs_cannot_touch_allocations(
    stub, identity_stub, projects_stub
):
    owner = await signup(identity_stub)
    member = await join_as(identity_stub, owner, identity_pb.ROLE_MEMBER)
    stranger = await signup(identity_stub)
    person = await create_resource(stub, owner)
    project = await create_project(projects_stub, owner)
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await allocate(stub, member, person.id, project.id, "10", "2026-03-02", "2026-03-08")
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    created = await allocate(stub, owner, person.id, project.id, "10", "2026-03-02", "2026-03-08")
    theirs = bearer(stranger.access_token)
    calls = [
        stub.UpdateAllocation(
            pb.UpdateAllocationRequest(
                allocation=pb.Allocation(id=created.id, allocated_hours="1"),
                update_mask=field_mask_pb2.FieldMask(paths=["allocated_hours"]),
            ),
            metadata=theirs,
        ),
        stub.DeleteAllocation(pb.DeleteAllocationRequest(id=created.id), metadata=theirs),
        stub.ListResourceAllocations(
            pb.ListResourceAllocationsRequest(resource_id=person.id), metadata=theirs
        ),
    ]
    for call in calls:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    # Their resource with our project: the project is not theirs.
    their_person = await create_resource(stub, stranger)
    error = await rpc_error(
        allocate(stub, stranger, their_person.id, project.id, "10", "2026-03-02", "2026-03-08")
    )
    assert error.field_errors[0].field == "project_id"
