"""GET /projects/{id} is the project as listed plus its team from capacity, asked in one call
after projects has shown the project; a reader capacity shows nothing (the client role) gets
the project without `team_allocation`, and the list never carries it."""

from __future__ import annotations

import uuid

import grpc
import jwt
import pytest

from labs.capacity.v1 import capacity_service_pb2 as capacity_pb
from labs.capacity.v1 import capacity_service_pb2_grpc
from labs.projects.v1 import projects_service_pb2 as pb
from labs.projects.v1 import projects_service_pb2_grpc

ORG_ID = uuid.uuid4()
PROJECT = pb.Project(id=str(uuid.uuid4()), client_id=str(uuid.uuid4()), client_name="Globex",
                     name="Site", status=pb.PROJECT_STATUS_ACTIVE, priority=pb.PRIORITY_MEDIUM,
                     budget_type=pb.BUDGET_TYPE_FIXED_FEE, budget_currency="USD",
                     etag="v1")
ADA, BO = str(uuid.uuid4()), str(uuid.uuid4())


class FakeProjects(projects_service_pb2_grpc.ProjectsServiceServicer):
    async def GetProject(self, request, context):
        if request.id != PROJECT.id:
            await context.abort(grpc.StatusCode.NOT_FOUND, "No such project.")
        return pb.GetProjectResponse(project=PROJECT)

    async def ListProjects(self, request, context):
        return pb.ListProjectsResponse(projects=[PROJECT])


class FakeCapacity(capacity_service_pb2_grpc.CapacityServiceServicer):
    def __init__(self) -> None:
        self.asked: list[str] = []

    async def ListProjectAllocations(self, request, context):
        self.asked.extend(request.project_ids)
        token = dict(context.invocation_metadata())["authorization"].removeprefix("Bearer ")
        if jwt.decode(token, options={"verify_signature": False})["role"] == "client":
            await context.abort(grpc.StatusCode.PERMISSION_DENIED, "Capacity is staff only.")
        team = []
        for project_id in request.project_ids:
            ada = capacity_pb.Allocation(
                id=str(uuid.uuid4()), resource_id=ADA, project_id=project_id,
                allocated_hours="20.00", start_date="2027-03-01", end_date="2027-03-28")
            bo = capacity_pb.Allocation(
                id=str(uuid.uuid4()), resource_id=BO, project_id=project_id,
                allocated_hours="7.50", start_date="2027-04-05", end_date="2027-04-30",
                tentative=True)
            team += [capacity_pb.ProjectAllocation(resource_name="Ada", allocation=ada),
                     capacity_pb.ProjectAllocation(resource_name="Bo", allocation=bo)]
        return capacity_pb.ListProjectAllocationsResponse(allocations=team)


async def _serve(add, servicer):
    server = grpc.aio.server()
    add(servicer, server)
    address = f"127.0.0.1:{server.add_insecure_port('127.0.0.1:0')}"
    await server.start()
    return server, address


@pytest.fixture
async def capacity():
    fake = FakeCapacity()
    server, fake.address = await _serve(
        capacity_service_pb2_grpc.add_CapacityServiceServicer_to_server, fake)
    yield fake
    await server.stop(None)


@pytest.fixture
async def gateway(make_client, capacity):
    server, address = await _serve(
        projects_service_pb2_grpc.add_ProjectsServiceServicer_to_server, FakeProjects())
    yield make_client(capacity_addr=capacity.address, projects_addr=address)
    await server.stop(None)


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def test_one_project_carries_its_client_name_and_team(gateway, capacity, issue_token):
    token = issue_token(ORG_ID, "viewer")
    one = await gateway.get(f"/api/v1/projects/{PROJECT.id}", headers=auth(token))
    assert one.status_code == 200, one.text
    body = one.json()
    assert body["client_name"] == "Globex" and one.headers["ETag"]
    assert body["team_allocation"] == [
        {"resource_id": ADA, "name": "Ada", "allocated_hours": 20.0,
         "start_date": "2027-03-01", "end_date": "2027-03-28", "tentative": False},
        {"resource_id": BO, "name": "Bo", "allocated_hours": 7.5,
         "start_date": "2027-04-05", "end_date": "2027-04-30", "tentative": True},
    ]
    assert capacity.asked == [PROJECT.id]
    listed = (await gateway.get("/api/v1/projects", headers=auth(token))).json()
    assert listed["projects"][0]["client_name"] == "Globex"
    # The list shows each project as its own page does, the team included (one call per page).
    assert listed["projects"][0] == body
    assert capacity.asked == [PROJECT.id, PROJECT.id]


async def test_capacity_is_not_asked_about_a_project_the_caller_cannot_see(
        gateway, capacity, issue_token):
    token = issue_token(ORG_ID, "owner")
    missing = await gateway.get(f"/api/v1/projects/{uuid.uuid4()}", headers=auth(token))
    assert missing.status_code == 404 and capacity.asked == []


async def test_a_client_reader_gets_the_project_without_a_team(gateway, capacity, issue_token):
    token = issue_token(ORG_ID, "client", client_id=PROJECT.client_id)
    one = await gateway.get(f"/api/v1/projects/{PROJECT.id}", headers=auth(token))
    assert one.status_code == 200, one.text
    assert "team_allocation" not in one.json() and one.json()["client_name"] == "Globex"
    assert capacity.asked == [PROJECT.id]
