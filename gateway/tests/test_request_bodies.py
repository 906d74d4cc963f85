"""Request bodies as API.md's general rules say: seed 003's bodies are enough, decimals are parsed
exactly (a JSON number never goes through a float), a field the endpoint does not know is a 422
naming it, and one 422 names every wrong field. Against fake projects, time and capacity services
over real gRPC, which record what the gateway sent."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import grpc
import pytest
from pydantic import TypeAdapter, ValidationError

from labs.capacity.v1 import capacity_service_pb2 as capacity_pb
from labs.capacity.v1 import capacity_service_pb2_grpc as capacity_grpc
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs.projects.v1 import projects_service_pb2_grpc as projects_grpc
from labs.time.v1 import time_service_pb2 as time_pb
from labs.time.v1 import time_service_pb2_grpc as time_grpc
from labs_gateway.exact_json import ExactJsonRequest, ExactJsonRoute
from labs_gateway.schemas.common import decimal_type

ORG_ID = uuid.uuid4()
PROJECT_ID = str(uuid.uuid4())
# Seed 003's bodies, as the seed writes them (values filled in).
SEED_RESOURCE = {"name": "Dana Contractor", "email": "dana@contractors.test",
                 "seniority_level": "contractor", "billing_rate": 150.5,
                 "capacity_hours_per_week": 20}
SEED_PROJECT = {"name": "Website", "client_name": "Acme", "budget_total": 50000,
                "start_date": "2027-01-04", "end_date": "2027-03-26",
                "pm_id": str(uuid.uuid4())}


class Recorder:
    """What the gateway sent each RPC."""

    def __init__(self) -> None:
        self.requests: dict[str, list] = {}

    def record(self, method: str, request) -> None:
        self.requests.setdefault(method, []).append(request)

    def only(self, method: str):
        [request] = self.requests[method]
        return request


class FakeCapacity(capacity_grpc.CapacityServiceServicer):
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    async def CreateResource(self, request, context):
        self.recorder.record("CreateResource", request)
        resource = capacity_pb.Resource(id=str(uuid.uuid4()), etag="r1")
        resource.MergeFrom(request.resource)
        return capacity_pb.CreateResourceResponse(resource=resource)

    async def CreateAllocation(self, request, context):
        self.recorder.record("CreateAllocation", request)
        return capacity_pb.CreateAllocationResponse(allocation=request.allocation)


class FakeProjects(projects_grpc.ProjectsServiceServicer):
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    async def CreateProject(self, request, context):
        self.recorder.record("CreateProject", request)
        project = projects_pb.Project(id=PROJECT_ID, etag="p1")
        project.MergeFrom(request.project)
        return projects_pb.CreateProjectResponse(project=project)

    async def UpdateProject(self, request, context):
        self.recorder.record("UpdateProject", request)
        project = projects_pb.Project(
            id=request.id, etag="p2", status=projects_pb.PROJECT_STATUS_PLANNING,
            priority=projects_pb.PRIORITY_MEDIUM,
            budget_type=projects_pb.BUDGET_TYPE_TIME_AND_MATERIALS)
        project.MergeFrom(request.project)
        return projects_pb.UpdateProjectResponse(project=project)


class FakeTime(time_grpc.TimeServiceServicer):
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    async def CreateTimeEntry(self, request, context):
        self.recorder.record("CreateTimeEntry", request)
        return time_pb.CreateTimeEntryResponse(entry=time_pb.TimeEntry(
            id=str(uuid.uuid4()), project_id=request.project_id, user_id=str(uuid.uuid4()),
            resource_id=request.resource_id, date_worked=request.date_worked or "2027-01-04",
            hours=request.hours, etag="t1"))

    async def CreateExpense(self, request, context):
        self.recorder.record("CreateExpense", request)
        return time_pb.CreateExpenseResponse(expense=time_pb.Expense(
            id=str(uuid.uuid4()), project_id=request.project_id, amount=request.amount,
            currency="USD", etag="e1"))


@pytest.fixture
async def recorder():
    recorder = Recorder()
    server = grpc.aio.server()
    capacity_grpc.add_CapacityServiceServicer_to_server(FakeCapacity(recorder), server)
    projects_grpc.add_ProjectsServiceServicer_to_server(FakeProjects(recorder), server)
    time_grpc.add_TimeServiceServicer_to_server(FakeTime(recorder), server)
    recorder.address = f"127.0.0.1:{server.add_insecure_port('127.0.0.1:0')}"
    await server.start()
    yield recorder
    await server.stop(None)


@pytest.fixture
def gateway(make_client, recorder):
    return make_client(capacity_addr=recorder.address, projects_addr=recorder.address,
                       time_addr=recorder.address)


@pytest.fixture
def manager(issue_token) -> dict[str, str]:
    return {"authorization": f"Bearer {issue_token(ORG_ID, 'manager')}"}


def fields_named(response) -> set[str]:
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"].endswith("validation-failed")
    return {error["field"] for error in problem["errors"]}


# Seed 003's bodies


async def test_seed_003s_resource_body_is_enough_and_its_rate_is_sent_exactly(
        gateway, manager, recorder):
    response = await gateway.post("/api/v1/resources", json=SEED_RESOURCE, headers=manager)
    assert response.status_code == 201, response.text
    sent = recorder.only("CreateResource").resource
    assert sent.billing_rate == "150.5" and sent.capacity_hours_per_week == "20"
    # No cost rate and no currency: capacity leaves the first uncosted, defaults the second.
    assert sent.cost_rate == "" and sent.currency == ""
    assert response.json()["billing_rate"] == "150.5"


async def test_seed_003s_project_body_with_pm_id_and_a_json_number_budget(
        gateway, manager, recorder):
    response = await gateway.post("/api/v1/projects", json=SEED_PROJECT, headers=manager)
    assert response.status_code == 201, response.text
    sent = recorder.only("CreateProject")
    assert sent.project.project_manager_id == SEED_PROJECT["pm_id"]
    assert sent.project.budget_total == "50000" and sent.client_name == "Acme"


async def test_a_time_entry_for_a_resource_carries_its_resource_id(gateway, manager, recorder):
    resource_id = str(uuid.uuid4())
    response = await gateway.post(
        f"/api/v1/projects/{PROJECT_ID}/time-entries", headers=manager,
        json={"resource_id": resource_id, "hours": 7.5, "billable": True,
              "date_worked": "2027-01-05", "notes": "Homepage build"})
    assert response.status_code == 201, response.text
    sent = recorder.only("CreateTimeEntry")
    assert sent.resource_id == resource_id and sent.hours == "7.5"
    assert response.json()["resource_id"] == resource_id


async def test_a_resource_id_that_is_no_uuid_is_a_422_naming_it(gateway, manager, recorder):
    response = await gateway.post(
        f"/api/v1/projects/{PROJECT_ID}/time-entries", headers=manager,
        json={"resource_id": "not-a-uuid", "hours": 1, "date_worked": "2027-01-05"})
    assert fields_named(response) == {"resource_id"}
    assert "CreateTimeEntry" not in recorder.requests


async def test_put_on_a_project_changes_the_fields_given_like_patch(gateway, manager, recorder):
    response = await gateway.put(f"/api/v1/projects/{PROJECT_ID}", headers=manager,
                                 json={"name": "Website v2", "budget_total": 60000.5,
                                       "status": "active"})
    assert response.status_code == 200, response.text
    sent = recorder.only("UpdateProject")
    assert sorted(sent.update_mask.paths) == ["budget_total", "name", "status"]
    assert sent.project.budget_total == "60000.5"


# Decimals: exact, as a string or a JSON number


@pytest.mark.parametrize(("sent", "expected"), [
    ("150.50", "150.50"), (150.5, "150.5"), (180, "180"), ("0.1", "0.1"), (0.3, "0.3"),
])
async def test_a_rate_is_a_decimal_string_or_a_json_number_sent_on_digit_for_digit(
        gateway, manager, recorder, sent, expected):
    response = await gateway.post("/api/v1/resources", headers=manager,
                                  json={**SEED_RESOURCE, "billing_rate": sent})
    assert response.status_code == 201, response.text
    assert recorder.only("CreateResource").resource.billing_rate == expected


async def test_json_numbers_are_read_with_every_digit_written(gateway, manager, recorder):
    """Through a float, 150.50 would be 150.5 and 100.00000000000000001 would be 100.0 (and
    pass): read exactly, the first keeps its digits and the second has too many decimals."""
    raw = ('{"name": "Dana", "seniority_level": "mid", "billing_rate": 150.50, '
           '"cost_rate": 100.00000000000000001}')
    response = await gateway.post("/api/v1/resources", content=raw,
                                  headers={**manager, "content-type": "application/json"})
    assert fields_named(response) == {"cost_rate"}
    assert "at most 2 decimals" in response.json()["errors"][0]["message"]
    ok = await gateway.post("/api/v1/resources", content=raw.replace("100.00000000000000001",
                                                                    "0.30"),
                            headers={**manager, "content-type": "application/json"})
    assert ok.status_code == 201, ok.text
    sent = recorder.only("CreateResource").resource
    assert (sent.billing_rate, sent.cost_rate) == ("150.50", "0.30")


def test_the_body_parser_keeps_numbers_exact_and_big_ones_whole():
    parsed = json.loads('{"a": 12345678901234567.89, "b": 0.1, "c": 3}', parse_float=Decimal)
    assert parsed == {"a": Decimal("12345678901234567.89"), "b": Decimal("0.1"), "c": 3}
    big = TypeAdapter(decimal_type(maximum=10**20))
    assert big.validate_python(parsed["a"]) == Decimal("12345678901234567.89")
    assert big.validate_python(Decimal("0.1") + Decimal("0.2")) == Decimal("0.3")
    assert big.validate_python("12345678901234567.89") == Decimal("12345678901234567.89")
    for bad in (True, "abc", "NaN", None, [1]):
        with pytest.raises(ValidationError):
            big.validate_python(bad)


def test_every_router_of_the_gateway_reads_bodies_exactly():
    import pkgutil

    from labs_gateway import routes

    for module in pkgutil.iter_modules(routes.__path__):
        loaded = __import__(f"labs_gateway.routes.{module.name}", fromlist=["router"])
        if hasattr(loaded, "router"):
            assert loaded.router.route_class is ExactJsonRoute, module.name
    assert issubclass(ExactJsonRequest, object)


async def test_hours_are_json_numbers_not_strings(gateway, manager):
    response = await gateway.post(f"/api/v1/projects/{PROJECT_ID}/time-entries", headers=manager,
                                  json={"hours": "8", "date_worked": "2027-01-05"})
    assert fields_named(response) == {"hours"}


# Nothing dropped: unknown fields, conflicts


async def test_a_field_the_endpoint_does_not_know_is_a_422_naming_it(gateway, manager, recorder):
    response = await gateway.post("/api/v1/resources", headers=manager,
                                  json={**SEED_RESOURCE, "hourly_cost": 70, "team": "web"})
    assert fields_named(response) == {"hourly_cost", "team"}
    assert recorder.requests == {}


async def test_client_name_beside_client_id_is_a_422_naming_the_conflict(gateway, manager):
    response = await gateway.post("/api/v1/projects", headers=manager, json={
        **SEED_PROJECT, "client_id": str(uuid.uuid4())})
    assert fields_named(response) == {"client_name"}
    assert "not both" in response.json()["errors"][0]["message"]


async def test_pm_id_beside_project_manager_id_is_a_422(gateway, manager):
    response = await gateway.post("/api/v1/projects", headers=manager, json={
        **SEED_PROJECT, "project_manager_id": str(uuid.uuid4())})
    assert fields_named(response) == {"pm_id"}


# One 422 names every wrong field


@pytest.mark.parametrize(("path", "body", "wrong"), [
    (f"/projects/{PROJECT_ID}/time-entries",
     {"hours": 30, "date_worked": "yesterday", "task_id": "t-1", "resource_id": "r",
      "bilable": True}, {"hours", "date_worked", "task_id", "resource_id", "bilable"}),
    (f"/projects/{PROJECT_ID}/time-entries",
     {"started_at": "2027-01-05T10:00:00Z", "ended_at": "2027-01-05T09:00:00Z", "notes": 5},
     {"ended_at", "notes"}),
    ("/projects",
     {"name": "", "budget_total": "lots", "start_date": "2027-03-01", "end_date": "2027-01-01",
      "status": "open"}, {"name", "budget_total", "end_date", "status"}),
    ("/projects",
     {"name": "Ok", "start_date": "2027-03-01", "end_date": "2027-01-01"}, {"end_date"}),
    (f"/projects/{PROJECT_ID}/tasks",
     {"title": "", "estimated_hours": -1, "due_date": "soon", "priority": "p1"},
     {"title", "estimated_hours", "due_date", "priority"}),
    ("/resources",
     {"name": "Bo", "seniority_level": "lead", "billing_rate": "1,50",
      "capacity_hours_per_week": 200}, {"seniority_level", "billing_rate",
                                        "capacity_hours_per_week"}),
    ("/allocations",
     {"resource_id": "x", "project_id": PROJECT_ID, "allocated_hours": 0,
      "start_date": "2027-02-01", "end_date": "2027-01-01"},
     {"resource_id", "allocated_hours", "end_date"}),
    (f"/projects/{PROJECT_ID}/expenses",
     {"description": "Flights", "amount": "12.345", "expense_date": "2027-13-01",
      "category": "food"}, {"amount", "expense_date", "category"}),
    ("/clients", {"name": "", "currency": "EURO", "phone": "1"}, {"name", "currency", "phone"}),
    ("/time-entries/submit", {"date_from": "2027-02-01", "date_to": "2027-01-01"}, {"date_to"}),
])
async def test_one_422_names_every_wrong_field_of_the_request(gateway, manager, recorder, path,
                                                              body, wrong):
    response = await gateway.post(f"/api/v1{path}", json=body, headers=manager)
    assert fields_named(response) == wrong
    assert recorder.requests == {}


# What the server answers, and what OpenAPI says


async def test_a_405_lists_every_method_of_the_path(gateway, manager):
    response = await gateway.post(f"/api/v1/projects/{PROJECT_ID}", headers=manager, json={})
    assert response.status_code == 405
    allowed = {m.strip() for m in response.headers["allow"].split(",")}
    assert {"GET", "PUT", "PATCH", "DELETE"} <= allowed and "POST" not in allowed


async def test_openapi_describes_the_bodies_the_server_takes(gateway):
    spec = (await gateway.get("/api/v1/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    resource = schemas["ResourceCreate"]
    assert set(resource["required"]) == {"name", "seniority_level", "billing_rate"}
    assert resource["additionalProperties"] is False
    rate = resource["properties"]["billing_rate"]
    assert {kind["type"] for kind in rate["anyOf"]} == {"string", "number"}
    entry = schemas["TimeEntryCreate"]["properties"]
    assert "resource_id" in entry
    hours = entry["hours"]["anyOf"][0]
    assert hours["type"] == "number" and hours["exclusiveMinimum"] == 0 and hours["maximum"] == 24
    assert "put" in spec["paths"]["/api/v1/projects/{id}"]
    patch = spec["paths"]["/api/v1/projects/{id}"]["patch"]["responses"]
    assert {"409", "412", "413", "422", "504"} <= set(patch)
    assert "409" not in spec["paths"]["/api/v1/projects"]["get"]["responses"]
