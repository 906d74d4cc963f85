"""A resource leaving (DeactivateResource): its capacity stops on its end date in the overview's
SQL, its bookings from then on are cut, the list filters see it, and only managers may do it."""

from __future__ import annotations

import grpc
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

pytestmark = pytest.mark.integration

MONDAY = "2026-03-02"


async def test_leaving_midweek_stops_capacity_and_cuts_the_bookings(
    stub, identity_stub, projects_stub
):
    owner = await signup(identity_stub)
    auth = bearer(owner.access_token)
    person = await create_resource(stub, owner)
    stays = await create_resource(stub, owner)
    project = await create_project(projects_stub, owner)
    cut = await allocate(stub, owner, person.id, project.id, "20", MONDAY, "2026-03-27")
    dropped = await allocate(stub, owner, person.id, project.id, "10", "2026-03-16", "2026-03-20")

    left = await stub.DeactivateResource(
        pb.DeactivateResourceRequest(id=person.id, end_date="2026-03-11"), metadata=auth)
    assert left.resource.end_date == "2026-03-11" and not left.resource.is_active

    overview = await stub.GetCapacityOverview(
        pb.GetCapacityOverviewRequest(start_week=MONDAY, weeks=3), metadata=auth)
    mine = [[r for r in w.by_resource if r.resource_id == person.id] for w in overview.weeks]
    # 40 h a week: all of the first; Monday and Tuesday of the second; then none.
    assert [m[0].available_hours for m in mine] == ["40.00", "16.00", "0.00"]
    assert [m[0].allocated_hours for m in mine] == ["20.00", "8.00", "0.00"]
    assert all(len(w.by_resource) == 2 for w in overview.weeks)
    later = await stub.GetCapacityOverview(
        pb.GetCapacityOverviewRequest(start_week="2026-03-16", weeks=2), metadata=auth)
    assert {r.resource_id for w in later.weeks for r in w.by_resource} == {stays.id}

    booked = await stub.ListResourceAllocations(
        pb.ListResourceAllocationsRequest(resource_id=person.id, start_week=MONDAY, weeks=6),
        metadata=auth)
    assert [(a.id, a.end_date) for a in booked.allocations] == [(cut.id, "2026-03-10")]
    assert dropped.id not in {a.id for a in booked.allocations}

    refused = await rpc_error(
        allocate(stub, owner, person.id, project.id, "5", MONDAY, "2026-03-11"))
    assert refused.field_errors[0].field == "end_date"

    found = await stub.GetResource(pb.GetResourceRequest(id=person.id), metadata=auth)
    assert found.resource.end_date == "2026-03-11"
    rates = await stub.ListResourceRates(
        pb.ListResourceRatesRequest(resource_id=person.id), metadata=auth)
    assert [r.billing_rate for r in rates.rates] == ["150.00"]


async def test_the_list_filters_by_activity_seniority_and_skill(stub, identity_stub):
    owner = await signup(identity_stub)
    auth = bearer(owner.access_token)
    gone = await create_resource(stub, owner, skills=["figma"],
                                 seniority_level=pb.SENIORITY_LEVEL_SENIOR)
    here = await create_resource(stub, owner, skills=["python"])
    await stub.DeactivateResource(pb.DeactivateResourceRequest(id=gone.id), metadata=auth)

    async def ids(**filters) -> set[str]:
        page = await stub.ListResources(pb.ListResourcesRequest(**filters), metadata=auth)
        return {r.id for r in page.resources}

    assert await ids() == {gone.id, here.id}
    assert await ids(is_active=True) == {here.id}
    assert await ids(is_active=False) == {gone.id}
    assert await ids(skill="figma") == {gone.id}
    assert await ids(seniority_level=pb.SENIORITY_LEVEL_MID) == {here.id}


async def test_only_managers_deactivate_and_another_orgs_resource_is_not_found(
    stub, identity_stub
):
    owner = await signup(identity_stub)
    person = await create_resource(stub, owner)
    member = await join_as(identity_stub, owner, identity_pb.ROLE_MEMBER)
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await stub.DeactivateResource(pb.DeactivateResourceRequest(id=person.id),
                                      metadata=bearer(member.access_token))
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    other = await signup(identity_stub)
    with pytest.raises(grpc.aio.AioRpcError) as hidden:
        await stub.DeactivateResource(pb.DeactivateResourceRequest(id=person.id),
                                      metadata=bearer(other.access_token))
    assert hidden.value.code() == grpc.StatusCode.NOT_FOUND
    still = await stub.GetResource(pb.GetResourceRequest(id=person.id),
                                   metadata=bearer(owner.access_token))
    assert still.resource.is_active and still.resource.end_date == ""
