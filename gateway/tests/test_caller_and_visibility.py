"""Calls carry the request's caller without any route passing metadata, and answers come back
with only what that caller may see: a member's GET /resources has no cost_rate key at all."""

from __future__ import annotations

import uuid

import grpc
import pytest

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs.capacity.v1 import capacity_service_pb2_grpc

ORG_ID = uuid.uuid4()
RESOURCE = pb.Resource(id=str(uuid.uuid4()), name="Bo", billing_rate="150.00",
                       cost_rate="70.00", currency="EUR", capacity_hours_per_week="40.00",
                       working_days=[1, 2, 3, 4, 5], etag="v1")


class FakeCapacity(capacity_service_pb2_grpc.CapacityServiceServicer):
    def __init__(self) -> None:
        self.metadata: list[dict[str, str]] = []

    def _record(self, context) -> None:
        self.metadata.append({m.key: m.value for m in context.invocation_metadata()})

    async def ListResources(self, request, context):
        self._record(context)
        return pb.ListResourcesResponse(resources=[RESOURCE])

    async def GetResource(self, request, context):
        self._record(context)
        return pb.GetResourceResponse(resource=RESOURCE)

    async def CreateHoliday(self, request, context):
        self._record(context)
        return pb.CreateHolidayResponse(holiday=pb.Holiday(id="h", date=request.holiday.date))


@pytest.fixture
async def capacity():
    fake = FakeCapacity()
    server = grpc.aio.server()
    capacity_service_pb2_grpc.add_CapacityServiceServicer_to_server(fake, server)
    fake.address = f"127.0.0.1:{server.add_insecure_port('127.0.0.1:0')}"
    await server.start()
    yield fake
    await server.stop(None)


@pytest.fixture
def gateway(make_client, capacity):
    return make_client(capacity_addr=capacity.address)


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@pytest.mark.parametrize(("role", "sees_cost"), [
    ("owner", True), ("manager", True), ("member", False), ("viewer", False),
])
async def test_cost_rates_are_absent_below_manager(gateway, issue_token, role, sees_cost):
    token = issue_token(ORG_ID, role)
    listed = await gateway.get("/api/v1/resources", headers=auth(token))
    one = await gateway.get(f"/api/v1/resources/{RESOURCE.id}", headers=auth(token))
    assert listed.status_code == one.status_code == 200, listed.text
    for shown in (listed.json()["resources"][0], one.json()):
        assert ("cost_rate" in shown) is sees_cost
        assert shown["billing_rate"] == "150.00" and shown["capacity_hours_per_week"] == 40.0
        assert shown["working_days"][0] == "monday" and shown["email"] is None


async def test_the_callers_token_and_idempotency_key_reach_the_service(
        gateway, capacity, issue_token):
    token = issue_token(ORG_ID, "manager")
    await gateway.get("/api/v1/resources", headers=auth(token))
    created = await gateway.post("/api/v1/holidays", json={"date": "2027-01-01"},
                                 headers={**auth(token), "Idempotency-Key": "h-1"})
    assert created.status_code == 201, created.text
    read, write = capacity.metadata
    assert read["authorization"] == write["authorization"] == f"Bearer {token}"
    assert "idempotency-key" not in read and write["idempotency-key"] == "h-1"

