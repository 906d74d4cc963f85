"""GetRates: the rate that was true on a date, for the time service's snapshots."""

from __future__ import annotations

import uuid

import grpc
import pytest
from capacity_helpers import bearer, create_resource, join_as, signup
from google.protobuf import field_mask_pb2

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs_common.errors import from_rpc_error

pytestmark = pytest.mark.integration


async def rates(stub, session, **request) -> pb.GetRatesResponse:
    return await stub.GetRates(pb.GetRatesRequest(**request), metadata=bearer(session.access_token))


async def test_a_rate_change_applies_from_its_date_on_and_never_rewrites_the_past(
    stub, identity_stub
):
    owner = await signup(identity_stub)
    person = await create_resource(stub, owner, billing_rate="100.00", cost_rate="40.00")
    await stub.UpdateResource(
        pb.UpdateResourceRequest(
            resource=pb.Resource(id=person.id, billing_rate="120.00"),
            update_mask=field_mask_pb2.FieldMask(paths=["billing_rate"]),
            rates_effective_from="2026-03-01",
        ),
        metadata=bearer(owner.access_token),
    )

    before = await rates(stub, owner, resource_id=person.id, date="2026-02-28")
    after = await rates(stub, owner, resource_id=person.id, date="2026-03-01")

    assert (before.found, before.billing_rate, before.cost_rate) == (True, "100.00", "40.00")
    assert before.effective_from == ""
    assert (after.billing_rate, after.cost_rate, after.currency) == ("120.00", "40.00", "USD")
    assert after.effective_from == "2026-03-01"


async def test_rates_are_found_by_the_member_a_resource_is_linked_to(stub, identity_stub):
    owner = await signup(identity_stub)
    member = await join_as(identity_stub, owner, identity_pb.ROLE_MEMBER)
    person = await create_resource(stub, owner, user_id=member.user.id, billing_rate="90.00")

    found = await rates(stub, member, user_id=member.user.id, date="2026-05-04")

    assert found.found and found.resource_id == person.id and found.billing_rate == "90.00"


async def test_nobody_or_a_date_before_the_first_rate_is_not_found(stub, identity_stub):
    owner = await signup(identity_stub)
    person = await create_resource(stub, owner, rates_effective_from="2026-01-01")

    assert not (await rates(stub, owner, user_id=str(uuid.uuid4()), date="2026-05-04")).found
    assert not (await rates(stub, owner, resource_id=person.id, date="2025-12-31")).found
    assert (await rates(stub, owner, resource_id=person.id, date="2026-01-01")).found


async def test_another_orgs_resource_has_no_rates_for_me(stub, identity_stub):
    owner = await signup(identity_stub)
    stranger = await signup(identity_stub)
    person = await create_resource(stub, owner)

    assert not (await rates(stub, stranger, resource_id=person.id, date="2026-05-04")).found


@pytest.mark.parametrize(
    ("request_fields", "field"),
    [
        ({"date": "2026-05-04"}, "user_id"),
        ({"user_id": str(uuid.uuid4()), "resource_id": str(uuid.uuid4()), "date": "2026-05-04"},
         "user_id"),
        ({"user_id": str(uuid.uuid4()), "date": "04/05/2026"}, "date"),
        ({"user_id": str(uuid.uuid4())}, "date"),
        ({"user_id": "not-a-uuid", "date": "2026-05-04"}, "user_id"),
    ],
)
async def test_bad_questions_name_the_field(stub, identity_stub, request_fields, field):
    owner = await signup(identity_stub)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await rates(stub, owner, **request_fields)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert from_rpc_error(caught.value).field_errors[0].field == field
