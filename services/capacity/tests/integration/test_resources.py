"""Resources: people and placeholders, who may change them, and what bad input is told."""

from __future__ import annotations

import uuid

import grpc
import pytest
from capacity_helpers import bearer, create_resource, join_as, rpc_error, signup
from google.protobuf import field_mask_pb2

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs.identity.v1 import identity_service_pb2 as identity_pb

pytestmark = pytest.mark.integration


def mask(*paths: str) -> field_mask_pb2.FieldMask:
    return field_mask_pb2.FieldMask(paths=list(paths))


async def test_a_new_resource_gets_the_default_week_and_is_read_back(stub, identity_stub):
    owner = await signup(identity_stub)
    created = await create_resource(
        stub, owner, name="Dana Designer", skills=["figma", "ux"], email="Dana@Example.com"
    )
    found = await stub.GetResource(
        pb.GetResourceRequest(id=created.id), metadata=bearer(owner.access_token)
    )
    assert found.resource == created
    assert created.capacity_hours_per_week == "40.00"
    assert list(created.working_days) == [1, 2, 3, 4, 5]
    assert created.email == "dana@example.com" and list(created.skills) == ["figma", "ux"]
    assert (created.billing_rate, created.cost_rate, created.currency) == ("150.00", "60.00", "USD")


async def test_a_placeholder_stands_for_a_role_not_yet_hired(stub, identity_stub):
    owner = await signup(identity_stub)
    placeholder = await create_resource(
        stub, owner, name="Senior designer", is_placeholder=True,
        seniority_level=pb.SENIORITY_LEVEL_SENIOR,
    )
    assert placeholder.is_placeholder and placeholder.user_id == ""
    error = await rpc_error(
        create_resource(stub, owner, is_placeholder=True, user_id=owner.user.id)
    )
    assert error.field_errors[0].field == "user_id"


async def test_a_member_is_linked_to_one_resource_at_most(stub, identity_stub):
    owner = await signup(identity_stub)
    await create_resource(stub, owner, user_id=owner.user.id)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await create_resource(stub, owner, user_id=owner.user.id)
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS


async def test_resources_are_listed_by_name_a_page_at_a_time(stub, identity_stub):
    owner = await signup(identity_stub)
    for name in ("Cleo", "Abe", "Bea"):
        await create_resource(stub, owner, name=name)
    first = await stub.ListResources(
        pb.ListResourcesRequest(page_size=2), metadata=bearer(owner.access_token)
    )
    second = await stub.ListResources(
        pb.ListResourcesRequest(page_size=2, page_token=first.next_page_token),
        metadata=bearer(owner.access_token),
    )
    assert [r.name for r in first.resources] == ["Abe", "Bea"]
    assert [r.name for r in second.resources] == ["Cleo"] and second.next_page_token == ""


async def test_an_update_changes_only_the_named_fields_and_honours_if_match(stub, identity_stub):
    owner = await signup(identity_stub)
    created = await create_resource(stub, owner, name="Ari")
    updated = await stub.UpdateResource(
        pb.UpdateResourceRequest(
            resource=pb.Resource(id=created.id, capacity_hours_per_week="32", name="ignored"),
            update_mask=mask("capacity_hours_per_week"),
            if_match_etags=[created.etag],
        ),
        metadata=bearer(owner.access_token),
    )
    assert updated.resource.capacity_hours_per_week == "32.00"
    assert updated.resource.name == "Ari" and updated.resource.etag != created.etag
    with pytest.raises(grpc.aio.AioRpcError) as stale:
        await stub.UpdateResource(
            pb.UpdateResourceRequest(
                resource=pb.Resource(id=created.id, name="Late"),
                update_mask=mask("name"),
                if_match_etags=[created.etag],
            ),
            metadata=bearer(owner.access_token),
        )
    assert stale.value.code() == grpc.StatusCode.ABORTED


async def test_patching_a_rate_keeps_the_history(stub, identity_stub):
    owner = await signup(identity_stub)
    created = await create_resource(stub, owner, cost_rate="50.00")
    updated = await stub.UpdateResource(
        pb.UpdateResourceRequest(
            resource=pb.Resource(id=created.id, cost_rate="55.00"), update_mask=mask("cost_rate")
        ),
        metadata=bearer(owner.access_token),
    )
    history = await stub.ListResourceRates(
        pb.ListResourceRatesRequest(resource_id=created.id), metadata=bearer(owner.access_token)
    )
    assert updated.resource.cost_rate == "55.00"
    assert [(r.cost_rate, r.effective_from == "") for r in history.rates] == [
        ("50.00", True),
        ("55.00", False),
    ]
    assert history.rates[0].effective_to != "" and history.rates[1].effective_to == ""


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": " "}, "name"),
        ({"billing_rate": "-1"}, "billing_rate"),
        ({"cost_rate": "abc"}, "cost_rate"),
        ({"cost_rate": "1.234"}, "cost_rate"),
        ({"currency": "XYZ"}, "currency"),
        ({"capacity_hours_per_week": "169"}, "capacity_hours_per_week"),
        ({"working_days": [0, 1]}, "working_days"),
        ({"working_days": [1, 1]}, "working_days"),
        ({"seniority_level": pb.SENIORITY_LEVEL_UNSPECIFIED}, "seniority_level"),
        ({"email": "not-an-email"}, "email"),
        ({"user_id": "nope"}, "user_id"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(stub, identity_stub, fields, field):
    owner = await signup(identity_stub)
    error = await rpc_error(create_resource(stub, owner, **fields))
    assert error.field_errors[0].field == field
    listed = await stub.ListResources(
        pb.ListResourcesRequest(), metadata=bearer(owner.access_token)
    )
    assert list(listed.resources) == []


async def test_members_and_viewers_read_managers_change_clients_see_nothing(stub, identity_stub):
    owner = await signup(identity_stub)
    manager = await join_as(identity_stub, owner, identity_pb.ROLE_MANAGER)
    member = await join_as(identity_stub, owner, identity_pb.ROLE_MEMBER)
    viewer = await join_as(identity_stub, owner, identity_pb.ROLE_VIEWER)
    client = await join_as(
        identity_stub, owner, identity_pb.ROLE_CLIENT, client_id=str(uuid.uuid4())
    )
    created = await create_resource(stub, manager)
    for reader in (member, viewer):
        found = await stub.GetResource(
            pb.GetResourceRequest(id=created.id), metadata=bearer(reader.access_token)
        )
        assert found.resource.id == created.id
        with pytest.raises(grpc.aio.AioRpcError) as denied:
            await create_resource(stub, reader)
        assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as hidden:
        await stub.ListResources(pb.ListResourcesRequest(), metadata=bearer(client.access_token))
    assert hidden.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_another_orgs_resource_is_not_found(stub, identity_stub):
    owner = await signup(identity_stub)
    stranger = await signup(identity_stub)
    created = await create_resource(stub, owner)
    calls = [
        stub.GetResource(
            pb.GetResourceRequest(id=created.id), metadata=bearer(stranger.access_token)
        ),
        stub.UpdateResource(
            pb.UpdateResourceRequest(resource=pb.Resource(id=created.id, name="x"),
                                     update_mask=mask("name")),
            metadata=bearer(stranger.access_token),
        ),
        stub.ListResourceRates(
            pb.ListResourceRatesRequest(resource_id=created.id),
            metadata=bearer(stranger.access_token),
        ),
    ]
    for call in calls:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    listed = await stub.ListResources(
        pb.ListResourcesRequest(), metadata=bearer(stranger.access_token)
    )
    assert list(listed.resources) == []
