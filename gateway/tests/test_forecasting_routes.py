"""Margins, dashboards and reports through the gateway, against fake forecasting, projects and
capacity services over real gRPC that record what the gateway sent: the routes API.md lists,
query validation (422s before any call), the objects as REST shows them, CSV and PDF passed
through as files, and the margin on GET /projects and GET /projects/{id} (one call per page, for
managers and up only, null when forecasting fails)."""

from __future__ import annotations

import uuid

import grpc
import jwt
import pytest
from google.protobuf import timestamp_pb2

from labs.capacity.v1 import capacity_service_pb2 as capacity_pb
from labs.capacity.v1 import capacity_service_pb2_grpc
from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs.forecasting.v1 import forecasting_service_pb2_grpc as forecasting_grpc
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs.projects.v1 import projects_service_pb2_grpc

ORG_ID = uuid.uuid4()
PROJECT_ID, OTHER_ID, UNKNOWN_ID = (str(uuid.uuid4()) for _ in range(3))
CLIENT_ID = str(uuid.uuid4())
RESOURCE_ID = str(uuid.uuid4())
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
CSV = b"id,name,client_name,hours\r\n1,'=cmd,Acme,7.5\r\n"

MARGIN_FIELDS = {"currency", "budget", "revenue", "labor_cost", "expense_cost", "cost",
                 "margin_dollar", "margin_percent", "hours_logged", "billable_hours",
                 "uncosted_hours", "budget_used_percent", "hours_remaining", "days_remaining",
                 "trend", "updated_at"}


def margin(project_id: str = PROJECT_ID, **fields) -> pb.Margin:
    values = dict(
        project_id=project_id, currency="USD", budget="10000.00", revenue="1125.00",
        labor_cost="450.00", expense_cost="25.00", cost="475.00", margin_dollar="650.00",
        margin_percent="57.78", hours_logged="7.50", billable_hours="7.25",
        uncosted_hours="1.25", budget_used_percent="11.25", hours_remaining="92.50",
        days_remaining=40, trend=pb.TREND_DOWN,
        updated_at=timestamp_pb2.Timestamp(seconds=1_800_000_000))
    values.update(fields)
    return pb.Margin(**values)


def project(project_id: str, name: str = "Site") -> projects_pb.Project:
    return projects_pb.Project(
        id=project_id, client_id=CLIENT_ID, client_name="Globex", name=name,
        status=projects_pb.PROJECT_STATUS_ACTIVE, priority=projects_pb.PRIORITY_MEDIUM,
        budget_type=projects_pb.BUDGET_TYPE_TIME_AND_MATERIALS, budget_total="10000.00",
        budget_currency="USD", budget_hours="100", etag="v1")


def role_of(context) -> str:
    token = dict(context.invocation_metadata())["authorization"].removeprefix("Bearer ")
    return jwt.decode(token, options={"verify_signature": False})["role"]


class Recorder:
    """Keeps each request by method; `refuse` makes a method fail with (code, details)."""

    def __init__(self) -> None:
        self.requests: dict[str, list] = {}
        self.refuse: dict[str, tuple[grpc.StatusCode, str]] = {}

    async def _take(self, method: str, request, context) -> None:
        self.requests.setdefault(method, []).append(request)
        if method in self.refuse:
            await context.abort(*self.refuse[method])

    def only(self, method: str):
        [request] = self.requests[method]
        return request


class FakeForecasting(Recorder, forecasting_grpc.ForecastingServiceServicer):
    async def ListProjectMargins(self, request, context):
        await self._take("ListProjectMargins", request, context)
        known = {PROJECT_ID: margin(), OTHER_ID: margin(OTHER_ID, revenue="0.00",
                                                         margin_percent="", budget="",
                                                         budget_used_percent="",
                                                         hours_remaining="",
                                                         trend=pb.TREND_STABLE)}
        known[OTHER_ID].ClearField("days_remaining")
        return pb.ListProjectMarginsResponse(
            margins=[known[i] for i in request.project_ids if i in known])

    async def GetMarginHistory(self, request, context):
        await self._take("GetMarginHistory", request, context)
        return pb.GetMarginHistoryResponse(margins=[
            pb.DailyMargin(date="2027-01-04", revenue="0.00", cost="0.00", margin_dollar="0.00",
                           margin_percent=""),
            pb.DailyMargin(date="2027-01-05", revenue="1125.00", cost="475.00",
                           margin_dollar="650.00", margin_percent="57.78"),
        ])

    async def GetProfitabilityDashboard(self, request, context):
        await self._take("GetProfitabilityDashboard", request, context)
        return pb.GetProfitabilityDashboardResponse(
            projects=[pb.ProfitabilityRow(
                id=PROJECT_ID, name="Site", client_name="Globex", budget="10000.00",
                actuals="1125.00", margin_dollar="650.00", margin_percent="57.78",
                margin_trend=pb.TREND_UP, currency="GBP", converted=True, status="active")],
            summary=pb.ProfitabilitySummary(
                currency="USD", total_budget="10000.00", total_actuals="1125.00",
                total_margin="650.00", avg_margin_percent="57.78", top_project="Site",
                bottom_project="Site", converted_from={"GBP": "1.17"}, unconverted=["JPY"]))

    async def GetMetrics(self, request, context):
        await self._take("GetMetrics", request, context)
        return pb.GetMetricsResponse(
            active_projects=3, hours_this_week="31.50", billable_hours_this_week="28.00",
            utilization_percent="", revenue_mtd="4200.00", outstanding_amount="1080.00",
            overdue_invoices=1, currency="USD")

    async def GetMarginSummaryReport(self, request, context):
        await self._take("GetMarginSummaryReport", request, context)
        row = pb.MarginSummaryRow(id=PROJECT_ID, name="=cmd", client_name="Globex",
                                  hours="7.50", revenue="1125.00", cost="475.00",
                                  margin_dollar="650.00", margin_percent="57.78",
                                  currency="USD")
        totals = pb.MarginSummaryRow(hours="7.50", revenue="1125.00", cost="475.00",
                                     margin_dollar="650.00", margin_percent="57.78",
                                     currency="USD")
        return pb.GetMarginSummaryReportResponse(projects=[row], totals=totals, currency="USD")

    async def GetResourceUtilizationReport(self, request, context):
        await self._take("GetResourceUtilizationReport", request, context)
        return pb.GetResourceUtilizationReportResponse(resources=[pb.UtilizationRow(
            resource_id=RESOURCE_ID, name="Ada", available_hours="40.00",
            allocated_hours="32.00", logged_hours="30.50", billable_hours="28.00",
            utilization_percent="76.25", billable_utilization_percent="70.00")])

    unnamed = False  # files without a name

    async def RenderReport(self, request, context):
        await self._take("RenderReport", request, context)
        if self.unnamed:
            return pb.RenderReportResponse(content=b"a,b\r\n", content_type="text/csv")
        if request.format == pb.REPORT_FORMAT_PDF:
            return pb.RenderReportResponse(content=PDF, content_type="application/pdf",
                                           filename="margin-summary.pdf")
        return pb.RenderReportResponse(content=CSV, content_type="text/csv",
                                       filename="margin-summary.csv")


class FakeProjects(projects_service_pb2_grpc.ProjectsServiceServicer):
    async def GetProject(self, request, context):
        if request.id not in (PROJECT_ID, OTHER_ID, UNKNOWN_ID):
            await context.abort(grpc.StatusCode.NOT_FOUND, "No such project.")
        return projects_pb.GetProjectResponse(project=project(request.id))

    async def ListProjects(self, request, context):
        return projects_pb.ListProjectsResponse(projects=[
            project(PROJECT_ID), project(OTHER_ID, "Other"), project(UNKNOWN_ID, "New")])


class FakeCapacity(Recorder, capacity_service_pb2_grpc.CapacityServiceServicer):
    async def ListProjectAllocations(self, request, context):
        await self._take("ListProjectAllocations", request, context)
        if role_of(context) == "client":
            await context.abort(grpc.StatusCode.PERMISSION_DENIED, "Capacity is staff only.")
        return capacity_pb.ListProjectAllocationsResponse(allocations=[
            capacity_pb.ProjectAllocation(resource_name="Ada", allocation=capacity_pb.Allocation(
                id=str(uuid.uuid4()), resource_id=RESOURCE_ID, project_id=project_id,
                allocated_hours="20.00", start_date="2027-03-01", end_date="2027-03-28"))
            for project_id in request.project_ids])


async def _serve(add, servicer) -> tuple[grpc.aio.Server, str]:
    server = grpc.aio.server()
    add(servicer, server)
    address = f"127.0.0.1:{server.add_insecure_port('127.0.0.1:0')}"
    await server.start()
    return server, address


@pytest.fixture
async def forecasting():
    fake = FakeForecasting()
    server, fake.address = await _serve(
        forecasting_grpc.add_ForecastingServiceServicer_to_server, fake)
    yield fake
    await server.stop(None)


@pytest.fixture
async def capacity():
    fake = FakeCapacity()
    server, fake.address = await _serve(
        capacity_service_pb2_grpc.add_CapacityServiceServicer_to_server, fake)
    yield fake
    await server.stop(None)


@pytest.fixture
async def gateway(make_client, forecasting, capacity):
    server, address = await _serve(
        projects_service_pb2_grpc.add_ProjectsServiceServicer_to_server, FakeProjects())
    yield make_client(forecasting_addr=forecasting.address, capacity_addr=capacity.address,
                      projects_addr=address)
    await server.stop(None)


@pytest.fixture
def token(issue_token):
    def make(role: str = "manager", **claims) -> dict[str, str]:
        return {"authorization": f"Bearer {issue_token(ORG_ID, role, **claims)}"}
    return make


def fields_named(response) -> set[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {error["field"] for error in response.json()["errors"]}


# The routes API.md lists


ROUTES = [
    ("get", "/api/v1/projects/{id}/margin-history", "200"),
    ("get", "/api/v1/dashboards/profitability", "200"),
    ("get", "/api/v1/dashboards/metrics", "200"),
    ("get", "/api/v1/reports/margin-summary", "200"),
    ("get", "/api/v1/reports/resource-utilization", "200"),
    ("post", "/api/v1/projects/{id}/export-margin-detail", "200"),
]


async def test_openapi_lists_every_forecasting_route_with_its_statuses(gateway):
    spec = (await gateway.get("/api/v1/openapi.json")).json()
    for method, path, success in ROUTES:
        operation = spec["paths"][path][method]
        assert success in operation["responses"], (method, path)
        assert operation["summary"] and operation.get("description"), (method, path)
        assert {"401", "403", "404", "422", "503"} <= set(operation["responses"]), (method, path)
    for path in ("/api/v1/reports/margin-summary", "/api/v1/reports/resource-utilization"):
        content = spec["paths"][path]["get"]["responses"]["200"]["content"]
        assert {"application/json", "text/csv", "application/pdf"} <= set(content), path
    export = spec["paths"]["/api/v1/projects/{id}/export-margin-detail"]["post"]
    assert {"text/csv", "application/pdf"} <= set(export["responses"]["200"]["content"])
    assert "400" in export["responses"]

    def names(path: str) -> set[str]:
        return {p["name"] for p in spec["paths"][path]["get"]["parameters"]}

    assert names("/api/v1/projects/{id}/margin-history") == {"id", "start_date", "end_date"}
    assert names("/api/v1/dashboards/profitability") == {"status", "client_id", "sort_by",
                                                         "order"}
    assert names("/api/v1/reports/margin-summary") == {"start_date", "end_date", "client_id",
                                                       "format"}
    assert names("/api/v1/reports/resource-utilization") == {"start_date", "end_date", "format"}


async def test_openapi_documents_the_margin_on_projects(gateway):
    schemas = (await gateway.get("/api/v1/openapi.json")).json()["components"]["schemas"]
    margin_fields = schemas["MarginPublic"]["properties"]
    assert set(margin_fields) == MARGIN_FIELDS
    for hours in ("hours_logged", "billable_hours", "uncosted_hours"):
        assert margin_fields[hours]["type"] == "number", hours
    assert margin_fields["revenue"]["anyOf"][0]["type"] == "string"
    assert "margin" in schemas["ProjectDetail"]["properties"]
    assert "margin" in schemas["ProjectDetail"]["properties"]
    assert "margin" not in schemas.get("ProjectPublic", {}).get("properties", {})
    assert set(schemas["MarginDetailExport"]["properties"]["format"]["enum"]) == {"csv", "pdf"}


async def test_every_route_needs_a_caller(gateway, forecasting):
    for method, path, _ in ROUTES:
        url = path.replace("{id}", PROJECT_ID)
        response = await gateway.request(method.upper(), url,
                                         json={"format": "csv"} if method == "post" else None)
        assert response.status_code == 401, (method, path)
    assert forecasting.requests == {}


# Margin history


async def test_margin_history_sends_its_range_and_answers_one_row_a_day(gateway, forecasting,
                                                                        token):
    response = await gateway.get(f"/api/v1/projects/{PROJECT_ID}/margin-history",
                                 headers=token(), params={"start_date": "2027-01-01",
                                                          "end_date": "2027-01-31"})
    assert response.status_code == 200, response.text
    sent = forecasting.only("GetMarginHistory")
    assert (sent.project_id, sent.start_date, sent.end_date) == (
        PROJECT_ID, "2027-01-01", "2027-01-31")
    assert response.json() == {"margins": [
        {"date": "2027-01-04", "revenue": "0.00", "cost": "0.00", "margin_dollar": "0.00",
         "margin_percent": None},
        {"date": "2027-01-05", "revenue": "1125.00", "cost": "475.00",
         "margin_dollar": "650.00", "margin_percent": "57.78"},
    ]}


async def test_margin_history_without_a_range_leaves_the_defaults_to_forecasting(
        gateway, forecasting, token):
    response = await gateway.get(f"/api/v1/projects/{PROJECT_ID}/margin-history",
                                 headers=token())
    assert response.status_code == 200, response.text
    assert forecasting.only("GetMarginHistory") == pb.GetMarginHistoryRequest(
        project_id=PROJECT_ID)


@pytest.mark.parametrize(("params", "wrong"), [
    ({"start_date": "2027-13-01"}, {"start_date"}),
    ({"start_date": "yesterday", "end_date": "2027-02-30"}, {"start_date", "end_date"}),
    ({"start_date": "2027-02-01", "end_date": "2027-01-01"}, {"end_date"}),
])
async def test_bad_history_dates_are_422s_naming_them(gateway, forecasting, token, params, wrong):
    response = await gateway.get(f"/api/v1/projects/{PROJECT_ID}/margin-history",
                                 headers=token(), params=params)
    assert fields_named(response) == wrong
    assert forecasting.requests == {}


async def test_a_bad_project_id_is_422(gateway, forecasting, token):
    response = await gateway.get("/api/v1/projects/site/margin-history", headers=token())
    assert fields_named(response) == {"id"}
    assert forecasting.requests == {}


@pytest.mark.parametrize(("code", "status"), [
    (grpc.StatusCode.PERMISSION_DENIED, 403), (grpc.StatusCode.NOT_FOUND, 404),
    (grpc.StatusCode.UNAVAILABLE, 503),
])
async def test_forecastings_refusals_keep_their_meaning(gateway, forecasting, token, code,
                                                        status):
    forecasting.refuse["GetMarginHistory"] = (code, "No.")
    response = await gateway.get(f"/api/v1/projects/{PROJECT_ID}/margin-history",
                                 headers=token("member"))
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


# Dashboards


async def test_the_profitability_dashboard_passes_its_filters_and_answers_apis_fields(
        gateway, forecasting, token):
    response = await gateway.get("/api/v1/dashboards/profitability", headers=token(), params={
        "status": "on_hold", "client_id": CLIENT_ID, "sort_by": "risk_score", "order": "asc"})
    assert response.status_code == 200, response.text
    sent = forecasting.only("GetProfitabilityDashboard")
    assert (sent.status, sent.client_id, sent.sort_by, sent.order) == (
        "on_hold", CLIENT_ID, "risk_score", "asc")
    body = response.json()
    [row] = body["projects"]
    assert {"id", "name", "client_name", "budget", "actuals", "margin_dollar", "margin_percent",
            "margin_trend", "forecast_margin", "forecast_confidence"} <= set(row)
    assert (row["id"], row["actuals"], row["margin_percent"], row["margin_trend"]) == (
        PROJECT_ID, "1125.00", "57.78", "up")
    assert row["forecast_margin"] is None and row["forecast_confidence"] is None
    assert (row["currency"], row["converted"]) == ("GBP", True)
    summary = body["summary"]
    assert {"currency", "total_budget", "total_actuals", "total_margin", "avg_margin_percent",
            "top_project", "bottom_project"} <= set(summary)
    assert (summary["currency"], summary["total_margin"], summary["top_project"]) == (
        "USD", "650.00", "Site")
    assert summary["converted_from"] == {"GBP": "1.17"} and summary["unconverted"] == ["JPY"]


async def test_the_profitability_dashboard_defaults(gateway, forecasting, token):
    response = await gateway.get("/api/v1/dashboards/profitability", headers=token())
    assert response.status_code == 200, response.text
    assert forecasting.only("GetProfitabilityDashboard") == pb.GetProfitabilityDashboardRequest(
        sort_by="margin_percent", order="desc")


@pytest.mark.parametrize(("params", "wrong"), [
    ({"sort_by": "profit"}, {"sort_by"}),
    ({"order": "up"}, {"order"}),
    ({"status": "done", "client_id": "acme"}, {"status", "client_id"}),
])
async def test_bad_dashboard_filters_are_422s_naming_them(gateway, forecasting, token, params,
                                                          wrong):
    response = await gateway.get("/api/v1/dashboards/profitability", headers=token(),
                                 params=params)
    assert fields_named(response) == wrong
    assert forecasting.requests == {}


async def test_the_metrics_dashboard(gateway, forecasting, token):
    response = await gateway.get("/api/v1/dashboards/metrics", headers=token())
    assert response.status_code == 200, response.text
    assert response.json() == {
        "active_projects": 3, "hours_this_week": 31.5, "billable_hours_this_week": 28.0,
        "utilization_percent": None, "revenue_mtd": "4200.00", "outstanding_amount": "1080.00",
        "overdue_invoices": 1, "currency": "USD"}


# Reports


async def test_the_margin_summary_as_json(gateway, forecasting, token):
    response = await gateway.get("/api/v1/reports/margin-summary", headers=token(), params={
        "start_date": "2027-01-01", "end_date": "2027-01-31", "client_id": CLIENT_ID})
    assert response.status_code == 200, response.text
    sent = forecasting.only("GetMarginSummaryReport")
    assert (sent.start_date, sent.end_date, sent.client_id) == (
        "2027-01-01", "2027-01-31", CLIENT_ID)
    body = response.json()
    assert body["currency"] == "USD"
    [row] = body["projects"]
    assert row == {"id": PROJECT_ID, "name": "=cmd", "client_name": "Globex", "hours": 7.5,
                   "revenue": "1125.00", "cost": "475.00", "margin_dollar": "650.00",
                   "margin_percent": "57.78", "currency": "USD"}
    assert body["totals"]["hours"] == 7.5 and body["totals"]["margin_dollar"] == "650.00"
    assert body["totals"]["id"] is None
    assert "RenderReport" not in forecasting.requests


@pytest.mark.parametrize(("file_format", "number", "content", "media_type"), [
    ("csv", pb.REPORT_FORMAT_CSV, CSV, "text/csv"),
    ("pdf", pb.REPORT_FORMAT_PDF, PDF, "application/pdf"),
])
async def test_the_margin_summary_as_a_file_is_forecastings_bytes(
        gateway, forecasting, token, file_format, number, content, media_type):
    response = await gateway.get("/api/v1/reports/margin-summary", headers=token(), params={
        "start_date": "2027-01-01", "end_date": "2027-01-31", "format": file_format})
    assert response.status_code == 200, response.text
    sent = forecasting.only("RenderReport")
    assert (sent.kind, sent.format, sent.start_date, sent.end_date, sent.client_id) == (
        pb.REPORT_KIND_MARGIN_SUMMARY, number, "2027-01-01", "2027-01-31", "")
    assert response.content == content
    assert response.headers["content-type"].startswith(media_type)
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="margin-summary.{file_format}"' in disposition
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "GetMarginSummaryReport" not in forecasting.requests


async def test_a_file_without_a_name_gets_one(gateway, forecasting, token):
    forecasting.unnamed = True
    response = await gateway.get("/api/v1/reports/resource-utilization", headers=token(),
                                 params={"start_date": "2027-01-01", "end_date": "2027-01-31",
                                         "format": "csv"})
    assert response.status_code == 200, response.text
    assert ('filename="resource-utilization-2027-01-01-2027-01-31.csv"'
            in response.headers["content-disposition"])


async def test_the_resource_utilization_report(gateway, forecasting, token):
    response = await gateway.get("/api/v1/reports/resource-utilization", headers=token(),
                                 params={"start_date": "2027-01-01", "end_date": "2027-01-31"})
    assert response.status_code == 200, response.text
    assert forecasting.only("GetResourceUtilizationReport") == (
        pb.GetResourceUtilizationReportRequest(start_date="2027-01-01", end_date="2027-01-31"))
    assert response.json() == {"resources": [{
        "resource_id": RESOURCE_ID, "name": "Ada", "available_hours": 40.0,
        "allocated_hours": 32.0, "logged_hours": 30.5, "billable_hours": 28.0,
        "utilization_percent": "76.25", "billable_utilization_percent": "70.00"}]}
    pdf = await gateway.get("/api/v1/reports/resource-utilization", headers=token(), params={
        "start_date": "2027-01-01", "end_date": "2027-01-31", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert forecasting.requests["RenderReport"][0].kind == pb.REPORT_KIND_RESOURCE_UTILIZATION


@pytest.mark.parametrize(("path", "params", "wrong"), [
    ("margin-summary", {}, {"start_date", "end_date"}),
    ("margin-summary", {"start_date": "2027-01-01", "end_date": "2027-01-31", "format": "xlsx"},
     {"format"}),
    ("margin-summary", {"start_date": "2027-02-01", "end_date": "2027-01-01"}, {"end_date"}),
    ("margin-summary", {"start_date": "2027-01-01", "end_date": "31/01/2027",
                        "client_id": "acme"}, {"end_date", "client_id"}),
    ("resource-utilization", {"start_date": "2027-01-01"}, {"end_date"}),
    ("resource-utilization", {"start_date": "2027-01-01", "end_date": "2027-01-31",
                              "format": "PDF"}, {"format"}),
])
async def test_bad_report_queries_are_422s_naming_them(gateway, forecasting, token, path,
                                                       params, wrong):
    response = await gateway.get(f"/api/v1/reports/{path}", headers=token(), params=params)
    assert fields_named(response) == wrong
    assert forecasting.requests == {}


# The margin detail export


@pytest.mark.parametrize(("file_format", "number"), [
    ("csv", pb.REPORT_FORMAT_CSV), ("pdf", pb.REPORT_FORMAT_PDF)])
async def test_the_margin_detail_export_is_the_file(gateway, forecasting, token, file_format,
                                                    number):
    response = await gateway.post(f"/api/v1/projects/{PROJECT_ID}/export-margin-detail",
                                  headers=token(), json={"format": file_format})
    assert response.status_code == 200, response.text
    sent = forecasting.only("RenderReport")
    assert (sent.kind, sent.format, sent.project_id) == (
        pb.REPORT_KIND_MARGIN_DETAIL, number, PROJECT_ID)
    assert response.content == (PDF if file_format == "pdf" else CSV)
    assert "attachment;" in response.headers["content-disposition"]


@pytest.mark.parametrize(("body", "wrong"), [
    ({}, {"format"}), ({"format": "json"}, {"format"}),
    ({"format": "csv", "include_rates": True}, {"include_rates"}),
])
async def test_a_bad_export_body_is_422_naming_it(gateway, forecasting, token, body, wrong):
    response = await gateway.post(f"/api/v1/projects/{PROJECT_ID}/export-margin-detail",
                                  headers=token(), json=body)
    assert fields_named(response) == wrong
    assert forecasting.requests == {}


async def test_a_member_asking_for_the_export_is_forecastings_403(gateway, forecasting, token):
    forecasting.refuse["RenderReport"] = (grpc.StatusCode.PERMISSION_DENIED, "Managers only.")
    response = await gateway.post(f"/api/v1/projects/{PROJECT_ID}/export-margin-detail",
                                  headers=token("member"), json={"format": "csv"})
    assert response.status_code == 403, response.text


# The margin on GET /projects and GET /projects/{id}


@pytest.mark.parametrize("role", ["owner", "admin", "manager"])
async def test_the_project_list_carries_margins_from_one_call(gateway, forecasting, capacity,
                                                              token, role):
    response = await gateway.get("/api/v1/projects", headers=token(role))
    assert response.status_code == 200, response.text
    assert list(forecasting.only("ListProjectMargins").project_ids) == [
        PROJECT_ID, OTHER_ID, UNKNOWN_ID]
    known, zero, unknown = response.json()["projects"]
    assert set(known["margin"]) == MARGIN_FIELDS
    assert known["margin"] == {
        "currency": "USD", "budget": "10000.00", "revenue": "1125.00", "labor_cost": "450.00",
        "expense_cost": "25.00", "cost": "475.00", "margin_dollar": "650.00",
        "margin_percent": "57.78", "hours_logged": 7.5, "billable_hours": 7.25,
        "uncosted_hours": 1.25, "budget_used_percent": "11.25", "hours_remaining": 92.5,
        "days_remaining": 40, "trend": "down", "updated_at": "2027-01-15T08:00:00Z"}
    assert (zero["margin"]["margin_percent"], zero["margin"]["budget"]) == (None, None)
    assert (zero["margin"]["hours_remaining"], zero["margin"]["days_remaining"]) == (None, None)
    assert zero["margin"]["trend"] == "stable"
    assert "margin" in unknown and unknown["margin"] is None
    # The page's teams come from one call to capacity too.
    assert known["team_allocation"][0]["name"] == "Ada"
    assert len(capacity.requests["ListProjectAllocations"]) == 1


@pytest.mark.parametrize("role", ["member", "viewer"])
async def test_the_project_list_has_no_margin_key_below_manager(gateway, forecasting, token,
                                                                role):
    response = await gateway.get("/api/v1/projects", headers=token(role))
    assert response.status_code == 200, response.text
    assert all("margin" not in p for p in response.json()["projects"])
    assert forecasting.requests == {}


async def test_a_client_gets_projects_without_margins(gateway, forecasting, token):
    response = await gateway.get("/api/v1/projects", headers=token("client",
                                                                   client_id=CLIENT_ID))
    assert response.status_code == 200, response.text
    assert all("margin" not in p for p in response.json()["projects"])
    one = await gateway.get(f"/api/v1/projects/{PROJECT_ID}",
                            headers=token("client", client_id=CLIENT_ID))
    assert one.status_code == 200, one.text
    assert "margin" not in one.json() and "team_allocation" not in one.json()
    assert forecasting.requests == {}


@pytest.mark.parametrize("code", [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNIMPLEMENTED,
                                  grpc.StatusCode.INTERNAL])
async def test_forecasting_failing_leaves_margins_null_not_the_list(gateway, forecasting, token,
                                                                   code):
    forecasting.refuse["ListProjectMargins"] = (code, "down")
    response = await gateway.get("/api/v1/projects", headers=token())
    assert response.status_code == 200, response.text
    assert [p["margin"] for p in response.json()["projects"]] == [None, None, None]
    one = await gateway.get(f"/api/v1/projects/{PROJECT_ID}", headers=token())
    assert one.status_code == 200, one.text
    assert one.json()["margin"] is None and one.json()["team_allocation"][0]["name"] == "Ada"


async def test_forecasting_unreachable_leaves_margins_null(make_client, capacity, token):
    server, address = await _serve(
        projects_service_pb2_grpc.add_ProjectsServiceServicer_to_server, FakeProjects())
    try:
        gateway = make_client(capacity_addr=capacity.address, projects_addr=address)
        response = await gateway.get("/api/v1/projects", headers=token())
        assert response.status_code == 200, response.text
        assert [p["margin"] for p in response.json()["projects"]] == [None, None, None]
    finally:
        await server.stop(None)


async def test_one_project_carries_its_margin_and_team_for_a_manager(gateway, forecasting,
                                                                     capacity, token):
    response = await gateway.get(f"/api/v1/projects/{PROJECT_ID}", headers=token())
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(forecasting.only("ListProjectMargins").project_ids) == [PROJECT_ID]
    assert set(body["margin"]) == MARGIN_FIELDS and body["margin"]["hours_logged"] == 7.5
    assert body["margin"]["revenue"] == "1125.00" and body["margin"]["trend"] == "down"
    assert body["team_allocation"] == [
        {"resource_id": RESOURCE_ID, "name": "Ada", "allocated_hours": 20.0,
         "start_date": "2027-03-01", "end_date": "2027-03-28", "tentative": False}]
    assert list(capacity.only("ListProjectAllocations").project_ids) == [PROJECT_ID]
    listed = (await gateway.get("/api/v1/projects", headers=token())).json()["projects"][0]
    assert {k: v for k, v in body.items() if k != "team_allocation"} == {
        k: v for k, v in listed.items() if k != "team_allocation"}


async def test_one_project_has_no_margin_key_for_a_member(gateway, forecasting, capacity, token):
    response = await gateway.get(f"/api/v1/projects/{PROJECT_ID}", headers=token("member"))
    assert response.status_code == 200, response.text
    assert "margin" not in response.json() and response.json()["team_allocation"]
    assert forecasting.requests == {}


async def test_one_project_forecasting_does_not_know_has_a_null_margin(gateway, token):
    response = await gateway.get(f"/api/v1/projects/{UNKNOWN_ID}", headers=token())
    assert response.status_code == 200, response.text
    assert response.json()["margin"] is None


async def test_forecasting_is_not_asked_about_a_project_the_caller_cannot_see(
        gateway, forecasting, capacity, token):
    response = await gateway.get(f"/api/v1/projects/{uuid.uuid4()}", headers=token("owner"))
    assert response.status_code == 404
    assert forecasting.requests == {} and capacity.requests == {}
