"""Forecasts, the forecast dashboard, alerts and alert subscriptions through the gateway, against
a fake forecasting service over real gRPC that records what the gateway sent: the routes and
statuses API.md lists, 422s before any call (bad enums, bad thresholds, unknown fields), the
objects as REST shows them (decimal strings, empty → null, hours numbers, lowercase enums), 201
for a new subscription and 200 for the existing one, PATCH sending its update_mask, DELETE 204."""

from __future__ import annotations

import uuid

import grpc
import pytest
from google.protobuf import struct_pb2, timestamp_pb2

from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs.forecasting.v1 import forecasting_service_pb2_grpc as forecasting_grpc

ORG_ID = uuid.uuid4()
PROJECT_ID, ALERT_ID, SUBSCRIPTION_ID, USER_ID = (str(uuid.uuid4()) for _ in range(4))
STAMP = timestamp_pb2.Timestamp(seconds=1_800_000_000)

FORECAST_FIELDS = {"project_id", "as_of", "forecast_margin", "forecast_margin_dollar",
                   "forecast_low", "forecast_high", "forecast_confidence",
                   "estimate_at_completion", "hours_at_completion", "method", "risk_score",
                   "risk_factors", "recommendation", "recommendations"}
ALERT_FIELDS = {"id", "type", "severity", "message", "project_id", "resource_id", "invoice_id",
                "data", "is_read", "action_taken", "created_at"}
SUBSCRIPTION_FIELDS = {"id", "alert_type", "delivery_method", "threshold_value", "project_id",
                       "enabled"}


def forecast(**fields) -> pb.Forecast:
    values = dict(
        project_id=PROJECT_ID, as_of=STAMP, forecast_margin="27.40",
        forecast_margin_dollar="2740.00", forecast_low="18.10", forecast_high="33.90",
        forecast_confidence=72, estimate_at_completion="7260.00", hours_at_completion="96.50",
        method="ets+allocations", risk_score=6,
        risk_factors=[pb.RiskFactor(factor="burn_rate", contribution="3", detail="Fast."),
                      pb.RiskFactor(factor="forecast_low", contribution="2", detail="")],
        recommendation="Move a junior onto the remaining work.",
        recommendations=[pb.Recommendation(action="rebalance", detail="Junior for senior.",
                                           impact="+6 points of margin")],
        currency="USD")
    values.update(fields)
    return pb.Forecast(**values)


def alert(**fields) -> pb.Alert:
    data = struct_pb2.Struct()
    data.update({"margin_percent": "27.40", "threshold": "30"})
    values = dict(id=ALERT_ID, type=pb.ALERT_TYPE_MARGIN_THRESHOLD,
                  severity=pb.SEVERITY_CRITICAL, message="Site's margin is below 30 %.",
                  project_id=PROJECT_ID, data=data, is_read=False, created_at=STAMP,
                  user_id=USER_ID)
    values.update(fields)
    return pb.Alert(**values)


def subscription(**fields) -> pb.AlertSubscription:
    values = dict(id=SUBSCRIPTION_ID, alert_type=pb.ALERT_TYPE_MARGIN_THRESHOLD,
                  delivery_method=pb.DELIVERY_METHOD_IN_APP, threshold_value="30",
                  project_id=PROJECT_ID, enabled=True, user_id=USER_ID, created_at=STAMP)
    values.update(fields)
    return pb.AlertSubscription(**values)


class FakeForecasting(forecasting_grpc.ForecastingServiceServicer):
    """Keeps each request by method; `refuse` makes a method fail with (code, details)."""

    def __init__(self) -> None:
        self.requests: dict[str, list] = {}
        self.refuse: dict[str, tuple[grpc.StatusCode, str]] = {}
        self.existing = False  # CreateAlertSubscription answers created=false

    async def _take(self, method: str, request, context) -> None:
        self.requests.setdefault(method, []).append(request)
        if method in self.refuse:
            await context.abort(*self.refuse[method])

    def only(self, method: str):
        [request] = self.requests[method]
        return request

    async def GetProjectForecast(self, request, context):
        await self._take("GetProjectForecast", request, context)
        return pb.GetProjectForecastResponse(forecast=forecast(project_id=request.project_id))

    async def GetForecastDashboard(self, request, context):
        await self._take("GetForecastDashboard", request, context)
        return pb.GetForecastDashboardResponse(
            projects_at_risk=[pb.ProjectAtRisk(
                id=PROJECT_ID, name="Site", current_margin="31.00", forecast_margin="27.40",
                forecast_low="18.10", forecast_high="33.90", risk_score=6, days_remaining=40,
                recommendation="Move a junior onto the remaining work."),
                pb.ProjectAtRisk(id=str(uuid.uuid4()), name="New", current_margin="",
                                 forecast_margin="", risk_score=1)],
            resource_gaps=[pb.ResourceGap(
                skill_level="senior", hours_needed="120.00", hours_available="80.00",
                gap_hours="40.00", hiring_recommendation="Hire one senior for 4 weeks.")])

    async def ListAlerts(self, request, context):
        await self._take("ListAlerts", request, context)
        return pb.ListAlertsResponse(alerts=[alert()], unread_count=1, next_page_token="next")

    async def UpdateAlert(self, request, context):
        await self._take("UpdateAlert", request, context)
        return pb.UpdateAlertResponse(alert=alert(is_read=request.is_read,
                                                  action_taken=request.action_taken))

    async def DeleteAlert(self, request, context):
        await self._take("DeleteAlert", request, context)
        return pb.DeleteAlertResponse()

    async def CreateAlertSubscription(self, request, context):
        await self._take("CreateAlertSubscription", request, context)
        return pb.CreateAlertSubscriptionResponse(
            subscription=subscription(alert_type=request.alert_type,
                                      delivery_method=request.delivery_method,
                                      threshold_value=request.threshold_value,
                                      project_id=request.project_id),
            created=not self.existing)

    async def ListAlertSubscriptions(self, request, context):
        await self._take("ListAlertSubscriptions", request, context)
        return pb.ListAlertSubscriptionsResponse(subscriptions=[
            subscription(), subscription(id=str(uuid.uuid4()), threshold_value="",
                                         project_id="", alert_type=pb.ALERT_TYPE_RISK_SCORE,
                                         delivery_method=pb.DELIVERY_METHOD_EMAIL)])

    async def UpdateAlertSubscription(self, request, context):
        await self._take("UpdateAlertSubscription", request, context)
        return pb.UpdateAlertSubscriptionResponse(subscription=subscription(
            enabled=request.enabled))

    async def DeleteAlertSubscription(self, request, context):
        await self._take("DeleteAlertSubscription", request, context)
        return pb.DeleteAlertSubscriptionResponse()


@pytest.fixture
async def forecasting():
    fake = FakeForecasting()
    server = grpc.aio.server()
    forecasting_grpc.add_ForecastingServiceServicer_to_server(fake, server)
    fake.address = f"127.0.0.1:{server.add_insecure_port('127.0.0.1:0')}"
    await server.start()
    yield fake
    await server.stop(None)


@pytest.fixture
def gateway(make_client, forecasting):
    return make_client(forecasting_addr=forecasting.address)


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
    ("get", "/api/v1/projects/{id}/forecast", "200"),
    ("get", "/api/v1/dashboards/forecast", "200"),
    ("get", "/api/v1/alerts", "200"),
    ("patch", "/api/v1/alerts/{id}", "200"),
    ("put", "/api/v1/alerts/{id}", "200"),
    ("delete", "/api/v1/alerts/{id}", "204"),
    ("post", "/api/v1/alerts/subscribe", "201"),
    ("get", "/api/v1/alerts/subscriptions", "200"),
    ("patch", "/api/v1/alerts/subscriptions/{id}", "200"),
    ("delete", "/api/v1/alerts/subscriptions/{id}", "204"),
]


async def test_openapi_lists_every_alert_and_forecast_route_with_its_statuses(gateway):
    spec = (await gateway.get("/api/v1/openapi.json")).json()
    for method, path, success in ROUTES:
        operation = spec["paths"][path][method]
        assert success in operation["responses"], (method, path)
        assert operation["summary"] and operation.get("description"), (method, path)
        assert {"401", "403", "404", "503"} <= set(operation["responses"]), (method, path)
    subscribe = spec["paths"]["/api/v1/alerts/subscribe"]["post"]
    assert {"200", "201", "422"} <= set(subscribe["responses"])
    assert "200" in subscribe["description"] and "existing" in subscribe["description"]
    names = {p["name"] for p in spec["paths"]["/api/v1/alerts"]["get"]["parameters"]}
    assert names == {"type", "unread", "severity", "project_id", "limit", "cursor"}
    schemas = spec["components"]["schemas"]
    assert set(schemas["ForecastPublic"]["properties"]) == FORECAST_FIELDS
    assert set(schemas["AlertPublic"]["properties"]) == ALERT_FIELDS
    assert set(schemas["AlertSubscriptionPublic"]["properties"]) == SUBSCRIPTION_FIELDS
    assert set(schemas["ForecastDashboard"]["properties"]) == {"projects_at_risk",
                                                               "resource_gaps"}
    assert set(schemas["AlertList"]["properties"]) == {"alerts", "unread_count", "next_cursor"}
    create = schemas["AlertSubscriptionCreate"]["properties"]
    assert set(create["alert_type"]["enum"]) == {"margin_threshold", "over_allocation",
                                                 "risk_score", "budget_burn", "invoice_overdue"}
    assert set(create["delivery_method"]["enum"]) == {"email", "slack", "in_app"}
    assert schemas["ForecastPublic"]["properties"]["hours_at_completion"]["anyOf"][0][
        "type"] == "number"
    threshold = create["threshold_value"]["anyOf"][0]
    assert [kind["type"] for kind in threshold["anyOf"]] == ["string", "number"]


async def test_every_route_needs_a_caller(gateway, forecasting):
    for method, path, _ in ROUTES:
        url = path.replace("{id}", ALERT_ID)
        body = {} if method in ("post", "patch", "put") else None
        response = await gateway.request(method.upper(), url, json=body)
        assert response.status_code == 401, (method, path)
    assert forecasting.requests == {}


# The forecast and the forecast dashboard


async def test_the_project_forecast_is_api_mds_object(gateway, forecasting, token):
    response = await gateway.get(f"/api/v1/projects/{PROJECT_ID}/forecast", headers=token())
    assert response.status_code == 200, response.text
    assert forecasting.only("GetProjectForecast").project_id == PROJECT_ID
    assert response.json() == {
        "project_id": PROJECT_ID, "as_of": "2027-01-15T08:00:00Z", "forecast_margin": "27.40",
        "forecast_margin_dollar": "2740.00", "forecast_low": "18.10", "forecast_high": "33.90",
        "forecast_confidence": 72, "estimate_at_completion": "7260.00",
        "hours_at_completion": 96.5, "method": "ets+allocations", "risk_score": 6,
        "risk_factors": [{"factor": "burn_rate", "contribution": "3", "detail": "Fast."},
                         {"factor": "forecast_low", "contribution": "2", "detail": None}],
        "recommendation": "Move a junior onto the remaining work.",
        "recommendations": [{"action": "rebalance", "detail": "Junior for senior.",
                             "impact": "+6 points of margin"}]}


async def test_a_bad_project_id_is_422_and_an_unknown_project_404(gateway, forecasting, token):
    assert fields_named(await gateway.get("/api/v1/projects/nope/forecast",
                                          headers=token())) == {"id"}
    assert forecasting.requests == {}
    forecasting.refuse["GetProjectForecast"] = (grpc.StatusCode.NOT_FOUND, "No such project.")
    response = await gateway.get(f"/api/v1/projects/{uuid.uuid4()}/forecast", headers=token())
    assert response.status_code == 404, response.text


@pytest.mark.parametrize(("code", "status"), [
    (grpc.StatusCode.PERMISSION_DENIED, 403), (grpc.StatusCode.UNAVAILABLE, 503)])
async def test_forecastings_refusals_are_the_apis(gateway, forecasting, token, code, status):
    forecasting.refuse["GetProjectForecast"] = (code, "no")
    response = await gateway.get(f"/api/v1/projects/{PROJECT_ID}/forecast",
                                 headers=token("member"))
    assert response.status_code == status, response.text


async def test_a_member_never_sees_a_forecast_even_one_forecasting_answers(gateway, token):
    """The forecast is a financial figure: below the organization's level it is a 403, not an
    empty object."""
    response = await gateway.get(f"/api/v1/projects/{PROJECT_ID}/forecast",
                                 headers=token("member"))
    assert response.status_code == 403, response.text
    assert "forecast_margin" not in response.text


async def test_the_forecast_dashboard(gateway, forecasting, token):
    response = await gateway.get("/api/v1/dashboards/forecast", headers=token())
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"projects_at_risk", "resource_gaps"}
    risky, young = body["projects_at_risk"]
    assert risky == {"id": PROJECT_ID, "name": "Site", "current_margin": "31.00",
                     "forecast_margin": "27.40", "forecast_low": "18.10",
                     "forecast_high": "33.90", "risk_score": 6, "days_remaining": 40,
                     "recommendation": "Move a junior onto the remaining work."}
    assert (young["current_margin"], young["forecast_low"], young["days_remaining"],
            young["recommendation"]) == (None, None, None, None)
    assert body["resource_gaps"] == [{
        "skill_level": "senior", "hours_needed": 120.0, "hours_available": 80.0,
        "gap_hours": 40.0, "hiring_recommendation": "Hire one senior for 4 weeks."}]


# Alerts


async def test_alerts_list_sends_its_filters_and_answers_the_page(gateway, forecasting, token):
    response = await gateway.get("/api/v1/alerts", headers=token(), params={
        "type": "margin_threshold", "unread": "true", "severity": "critical",
        "project_id": PROJECT_ID, "limit": 10, "cursor": "abc"})
    assert response.status_code == 200, response.text
    sent = forecasting.only("ListAlerts")
    assert sent == pb.ListAlertsRequest(
        type=pb.ALERT_TYPE_MARGIN_THRESHOLD, unread=True, severity=pb.SEVERITY_CRITICAL,
        project_id=PROJECT_ID, page_size=10, page_token="abc")
    body = response.json()
    assert (body["unread_count"], body["next_cursor"]) == (1, "next")
    [one] = body["alerts"]
    assert one == {"id": ALERT_ID, "type": "margin_threshold", "severity": "critical",
                   "message": "Site's margin is below 30 %.", "project_id": PROJECT_ID,
                   "resource_id": None, "invoice_id": None,
                   "data": {"margin_percent": "27.40", "threshold": "30"}, "is_read": False,
                   "action_taken": None, "created_at": "2027-01-15T08:00:00Z"}


async def test_alerts_list_defaults_leave_unread_unset(gateway, forecasting, token):
    response = await gateway.get("/api/v1/alerts", headers=token("member"))
    assert response.status_code == 200, response.text
    sent = forecasting.only("ListAlerts")
    assert not sent.HasField("unread") and sent.page_size == 50 and sent.type == 0
    assert "data" not in response.json()["alerts"][0]  # figures are for the financials level
    await gateway.get("/api/v1/alerts", headers=token(), params={"unread": "false"})
    later = forecasting.requests["ListAlerts"][1]
    assert later.HasField("unread") and later.unread is False


@pytest.mark.parametrize(("params", "wrong"), [
    ({"type": "margin"}, {"type"}),
    ({"severity": "high", "unread": "maybe"}, {"severity", "unread"}),
    ({"project_id": "acme", "limit": 0}, {"project_id", "limit"}),
    ({"limit": 501}, {"limit"}),
])
async def test_bad_alert_filters_are_422s_naming_them(gateway, forecasting, token, params,
                                                      wrong):
    response = await gateway.get("/api/v1/alerts", headers=token(), params=params)
    assert fields_named(response) == wrong
    assert forecasting.requests == {}


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
async def test_updating_an_alert_sends_only_the_fields_given_in_its_mask(gateway, forecasting,
                                                                          token, method):
    response = await gateway.request(method, f"/api/v1/alerts/{ALERT_ID}", headers=token(),
                                     json={"is_read": True})
    assert response.status_code == 200, response.text
    sent = forecasting.only("UpdateAlert")
    assert (sent.id, list(sent.update_mask.paths), sent.is_read) == (ALERT_ID, ["is_read"], True)
    assert response.json()["is_read"] is True and set(response.json()) == ALERT_FIELDS


async def test_updating_both_fields_of_an_alert(gateway, forecasting, token):
    response = await gateway.patch(f"/api/v1/alerts/{ALERT_ID}", headers=token(),
                                   json={"is_read": True, "action_taken": "Rebalanced."})
    assert response.status_code == 200, response.text
    sent = forecasting.only("UpdateAlert")
    assert list(sent.update_mask.paths) == ["action_taken", "is_read"]
    assert sent.action_taken == "Rebalanced." and response.json()["action_taken"] == "Rebalanced."


@pytest.mark.parametrize(("body", "wrong"), [
    ({}, {"body"}),
    ({"is_read": "yes"}, {"is_read"}),
    ({"is_read": None}, {"is_read"}),
    ({"action_taken": 3, "seen": True}, {"action_taken", "seen"}),
])
async def test_a_bad_alert_update_is_422_naming_it(gateway, forecasting, token, body, wrong):
    response = await gateway.patch(f"/api/v1/alerts/{ALERT_ID}", headers=token(), json=body)
    assert fields_named(response) == wrong
    assert forecasting.requests == {}


async def test_someone_elses_alert_is_not_found(gateway, forecasting, token):
    forecasting.refuse["UpdateAlert"] = (grpc.StatusCode.NOT_FOUND, "No such alert.")
    response = await gateway.patch(f"/api/v1/alerts/{ALERT_ID}", headers=token(),
                                   json={"is_read": True})
    assert response.status_code == 404, response.text


async def test_deleting_an_alert_is_204(gateway, forecasting, token):
    response = await gateway.delete(f"/api/v1/alerts/{ALERT_ID}", headers=token())
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert forecasting.only("DeleteAlert").id == ALERT_ID


# Subscriptions


async def test_a_new_subscription_is_201(gateway, forecasting, token):
    response = await gateway.post("/api/v1/alerts/subscribe", headers=token(), json={
        "alert_type": "margin_threshold", "delivery_method": "in_app", "threshold_value": 30,
        "project_id": PROJECT_ID})
    assert response.status_code == 201, response.text
    assert forecasting.only("CreateAlertSubscription") == pb.CreateAlertSubscriptionRequest(
        alert_type=pb.ALERT_TYPE_MARGIN_THRESHOLD, delivery_method=pb.DELIVERY_METHOD_IN_APP,
        threshold_value="30", project_id=PROJECT_ID)
    assert response.json() == {"id": SUBSCRIPTION_ID, "alert_type": "margin_threshold",
                               "delivery_method": "in_app", "threshold_value": "30",
                               "project_id": PROJECT_ID, "enabled": True}


async def test_the_same_triple_again_is_200_with_the_existing_one(gateway, forecasting, token):
    forecasting.existing = True
    response = await gateway.post("/api/v1/alerts/subscribe", headers=token(), json={
        "alert_type": "risk_score", "delivery_method": "email", "threshold_value": "7.5"})
    assert response.status_code == 200, response.text
    sent = forecasting.only("CreateAlertSubscription")
    assert (sent.threshold_value, sent.project_id) == ("7.5", "")
    assert response.json()["id"] == SUBSCRIPTION_ID and response.json()["project_id"] is None


@pytest.mark.parametrize(("alert_type", "threshold", "sent"), [
    ("margin_threshold", -5, "-5"), ("margin_threshold", "100", "100"),
    ("budget_burn", 1000, "1000"), ("risk_score", 1, "1"), ("risk_score", "10.00", "10.00"),
    ("over_allocation", None, ""),
])
async def test_each_types_thresholds_within_its_bounds_are_sent_exactly(
        gateway, forecasting, token, alert_type, threshold, sent):
    response = await gateway.post("/api/v1/alerts/subscribe", headers=token(), json={
        "alert_type": alert_type, "delivery_method": "email", "threshold_value": threshold})
    assert response.status_code == 201, response.text
    assert forecasting.only("CreateAlertSubscription").threshold_value == sent


async def test_a_subscription_without_a_threshold_leaves_the_default_to_forecasting(
        gateway, forecasting, token):
    response = await gateway.post("/api/v1/alerts/subscribe", headers=token(), json={
        "alert_type": "budget_burn", "delivery_method": "slack"})
    assert response.status_code == 201, response.text
    assert forecasting.only("CreateAlertSubscription").threshold_value == ""
    assert response.json()["threshold_value"] is None


@pytest.mark.parametrize(("body", "wrong"), [
    ({"alert_type": "margin", "delivery_method": "sms"}, {"alert_type", "delivery_method"}),
    ({}, {"alert_type", "delivery_method"}),
    ({"alert_type": "margin_threshold", "delivery_method": "email", "threshold_value": "abc"},
     {"threshold_value"}),
    ({"alert_type": "margin_threshold", "delivery_method": "email", "threshold_value": -1001},
     {"threshold_value"}),
    ({"alert_type": "budget_burn", "delivery_method": "email", "threshold_value": 0},
     {"threshold_value"}),
    ({"alert_type": "over_allocation", "delivery_method": "email", "threshold_value": 10},
     {"threshold_value"}),
    ({"alert_type": "invoice_overdue", "delivery_method": "slack", "threshold_value": "1"},
     {"threshold_value"}),
    ({"alert_type": "margin_threshold", "delivery_method": "email", "threshold_value": 150},
     {"threshold_value"}),
    ({"alert_type": "risk_score", "delivery_method": "email", "threshold_value": 11},
     {"threshold_value"}),
    ({"alert_type": "risk_score", "delivery_method": "email", "threshold_value": "0"},
     {"threshold_value"}),
    ({"alert_type": "budget_burn", "delivery_method": "email", "threshold_value": True},
     {"threshold_value"}),
    ({"alert_type": "budget_burn", "delivery_method": "email", "threshold_value": "75.123"},
     {"threshold_value"}),
    ({"alert_type": "budget_burn", "delivery_method": "email", "project_id": "acme",
      "channel": "x"}, {"project_id", "channel"}),
    ({"alert_type": "MARGIN_THRESHOLD", "delivery_method": "email", "threshold_value": 500},
     {"alert_type"}),
])
async def test_a_bad_subscription_is_422_naming_every_wrong_field(gateway, forecasting, token,
                                                                  body, wrong):
    response = await gateway.post("/api/v1/alerts/subscribe", headers=token(), json=body)
    assert fields_named(response) == wrong
    assert forecasting.requests == {}


async def test_the_subscriptions_list(gateway, forecasting, token):
    response = await gateway.get("/api/v1/alerts/subscriptions", headers=token())
    assert response.status_code == 200, response.text
    mine, anywhere = response.json()["subscriptions"]
    assert set(mine) == SUBSCRIPTION_FIELDS and mine["threshold_value"] == "30"
    assert (anywhere["alert_type"], anywhere["delivery_method"], anywhere["threshold_value"],
            anywhere["project_id"]) == ("risk_score", "email", None, None)


async def test_patching_a_subscription_sends_its_mask(gateway, forecasting, token):
    response = await gateway.patch(f"/api/v1/alerts/subscriptions/{SUBSCRIPTION_ID}",
                                   headers=token(), json={"enabled": False,
                                                          "threshold_value": None})
    assert response.status_code == 200, response.text
    sent = forecasting.only("UpdateAlertSubscription")
    assert (sent.id, list(sent.update_mask.paths)) == (
        SUBSCRIPTION_ID, ["enabled", "threshold_value"])
    assert sent.enabled is False and sent.threshold_value == ""
    assert response.json()["enabled"] is False


@pytest.mark.parametrize(("body", "wrong"), [
    ({}, {"body"}), ({"delivery_method": "pager"}, {"delivery_method"}),
    ({"enabled": None, "threshold_value": "x"}, {"enabled", "threshold_value"}),
    ({"alert_type": "risk_score"}, {"alert_type"}),
])
async def test_a_bad_subscription_change_is_422(gateway, forecasting, token, body, wrong):
    response = await gateway.patch(f"/api/v1/alerts/subscriptions/{SUBSCRIPTION_ID}",
                                   headers=token(), json=body)
    assert fields_named(response) == wrong
    assert forecasting.requests == {}


async def test_deleting_a_subscription_is_204(gateway, forecasting, token):
    response = await gateway.delete(f"/api/v1/alerts/subscriptions/{SUBSCRIPTION_ID}",
                                    headers=token())
    assert response.status_code == 204, response.text
    assert forecasting.only("DeleteAlertSubscription").id == SUBSCRIPTION_ID

