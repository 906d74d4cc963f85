"""Alerts and forecasts through the gateway on the whole platform: a manager subscribed to
margin_threshold at 30 % (in the app and by email) on a time-and-materials project; time logged
at a cost rate that takes the margin under 30 % raises one alert within 5 s, listed by GET
/alerts (unread_count 1), pushed to the manager's socket as `alert:new` (the alert as REST shows
it) and mailed to the manager; one more hour in the same state raises nothing more; a member's
socket never hears of it; marking it read brings unread_count to 0; another organization's
alert is not found; the same subscription again answers the existing one (200, not 201); the
project's forecast has a risk score 1-10 and its margin inside its band.

Run them alone with `-k alerts`."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage

import pytest
import websockets
from e2e_helpers import auth, join_as, receive_until, sign_up

pytestmark = pytest.mark.e2e

# Revenue 100 an hour, cost 80 an hour: a 20 % margin, under the subscription's 30 %.
BILLING_RATE, COST_RATE = "100.00", "80.00"
THRESHOLD = 30
HOURS = 8.0
ALERT_FIELDS = {"id", "type", "severity", "message", "project_id", "resource_id", "invoice_id",
                "data", "is_read", "action_taken", "created_at"}
SUBSCRIPTION_FIELDS = {"id", "alert_type", "delivery_method", "threshold_value", "project_id",
                       "enabled"}
FORECAST_FIELDS = {"project_id", "as_of", "forecast_margin", "forecast_margin_dollar",
                   "forecast_low", "forecast_high", "forecast_confidence",
                   "estimate_at_completion", "hours_at_completion", "method", "risk_score",
                   "risk_factors", "recommendation", "recommendations"}


def day(offset: int) -> str:
    return (datetime.now(UTC) + timedelta(days=offset)).date().isoformat()


async def agency(http) -> dict:
    """An organization whose owner is a resource with a billing and a cost rate, a manager and a
    member, and a time-and-materials project."""
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    person = await http.post("/resources", headers=headers, json={
        "name": "Olive Owner", "user_id": owner["user"]["id"], "seniority_level": "senior",
        "billing_rate": BILLING_RATE, "cost_rate": COST_RATE, "currency": "USD"})
    assert person.status_code == 201, person.text
    project = await http.post("/projects", headers=headers, json={
        "name": f"Site {uuid.uuid4().hex[:6]}", "client_name": f"Client {uuid.uuid4().hex[:6]}",
        "status": "active", "budget_type": "time_and_materials", "budget_total": "100000.00",
        "budget_currency": "USD", "budget_hours": 1000, "start_date": day(-14),
        "end_date": day(60)})
    assert project.status_code == 201, project.text
    manager = await join_as(http, owner, "manager")
    member = await join_as(http, owner, "member")
    return {"owner": owner, "headers": headers, "project": project.json(), "manager": manager,
            "member": member}


async def subscribe(http, who: dict, project_id: str, delivery_method: str,
                    expected: int = 201) -> dict:
    response = await http.post("/alerts/subscribe", headers=auth(who["access_token"]), json={
        "alert_type": "margin_threshold", "delivery_method": delivery_method,
        "threshold_value": THRESHOLD, "project_id": project_id})
    assert response.status_code == expected, response.text
    body = response.json()
    assert set(body) == SUBSCRIPTION_FIELDS
    assert (body["alert_type"], body["delivery_method"], body["project_id"]) == (
        "margin_threshold", delivery_method, project_id)
    assert Decimal(body["threshold_value"]) == THRESHOLD and body["enabled"] is True
    return body


async def log(http, headers, project_id: str, hours: float) -> dict:
    created = await http.post(f"/projects/{project_id}/time-entries", headers=headers,
                              json={"hours": hours, "date_worked": day(-1), "billable": True})
    assert created.status_code == 201, created.text
    entry = created.json()
    assert (entry["billable_rate"], entry["cost_rate"]) == (BILLING_RATE, COST_RATE), entry
    return entry


async def margin_counts(http, headers, project_id: str, hours: float,
                        timeout: float = 30.0) -> dict:
    """The project's margin once it counts `hours`, or AssertionError at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        found = await http.get(f"/projects/{project_id}", headers=headers)
        assert found.status_code == 200, found.text
        margin = found.json().get("margin")
        if margin is not None and margin["hours_logged"] == hours:
            return margin
        assert time.monotonic() < deadline, f"margin still {margin}"
        await asyncio.sleep(0.2)


async def alerts_of(http, who: dict, **params) -> dict:
    listed = await http.get("/alerts", headers=auth(who["access_token"]), params=params)
    assert listed.status_code == 200, listed.text
    return listed.json()


async def margin_alerts_once(http, who: dict, project_id: str, deadline: float) -> dict:
    """GET /alerts once it lists a margin_threshold alert of the project, or AssertionError at
    the deadline (time.monotonic())."""
    while True:
        body = await alerts_of(http, who)
        if [a for a in body["alerts"]
                if a["type"] == "margin_threshold" and a["project_id"] == project_id]:
            return body
        assert time.monotonic() < deadline, f"no margin_threshold alert yet: {body}"
        await asyncio.sleep(0.1)


async def heard_until_pong(socket) -> list[dict]:
    """Everything a socket was sent before the pong to a ping sent now."""
    await socket.send('{"type": "ping"}')
    heard = []
    while (message := json.loads(await asyncio.wait_for(socket.recv(), 10)))["type"] != "pong":
        heard.append(message)
    return heard


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(preferencelist=("plain", "html"))
    content = body.get_content() if body is not None else ""
    return f"{mail['Subject']}\n{content}"


def margin_mails_to(smtp_sink, address: str) -> list[EmailMessage]:
    return [m for m in smtp_sink.to(address) if "margin" in text_of(m).lower()]


async def test_alerts_a_margin_under_the_threshold_raises_one_alert_in_app_and_by_email(
        http, suite, smtp_sink):
    org = await agency(http)
    project_id = org["project"]["id"]
    manager, member = org["manager"], org["member"]
    in_app = await subscribe(http, manager, project_id, "in_app")
    by_email = await subscribe(http, manager, project_id, "email")
    assert in_app["id"] != by_email["id"]
    mine = await http.get("/alerts/subscriptions", headers=auth(manager["access_token"]))
    assert mine.status_code == 200, mine.text
    assert {in_app["id"], by_email["id"]} <= {s["id"] for s in mine.json()["subscriptions"]}

    url = suite.gateway_url.replace("http://", "ws://") + "/api/v1/ws"
    async with (websockets.connect(f"{url}?token={manager['access_token']}") as manager_socket,
                websockets.connect(f"{url}?token={member['access_token']}") as member_socket):
        for socket in (manager_socket, member_socket):
            await socket.send('{"type": "ping"}')
            await receive_until(socket, lambda m: m["type"] == "pong")

        started = time.monotonic()
        await log(http, org["headers"], project_id, HOURS)
        listed = await margin_alerts_once(http, manager, project_id, started + 5)
        pushed = await receive_until(
            manager_socket, lambda m: m["type"] == "alert:new"
            and m["data"]["project_id"] == project_id,
            timeout=max(started + 5 - time.monotonic(), 0.5))
        assert time.monotonic() - started <= 6  # within 5 s of the time entry (and the read)

        margin_alerts = [a for a in listed["alerts"] if a["type"] == "margin_threshold"]
        assert len(margin_alerts) == 1, listed
        [alert] = margin_alerts
        assert listed["unread_count"] == 1, listed
        assert set(alert) == ALERT_FIELDS
        assert (alert["project_id"], alert["is_read"], alert["action_taken"]) == (
            project_id, False, None)
        assert alert["severity"] in {"critical", "warning"} and alert["message"]
        assert alert["data"] is None or isinstance(alert["data"], dict)
        # The socket's data is the alert as REST returns it.
        assert pushed["data"] == alert
        assert pushed["id"] and pushed["ts"]

        mail = await smtp_sink.wait_for(
            lambda m: manager["user"]["email"].lower() in str(m["To"]).lower()
            and "margin" in text_of(m).lower(), timeout=15)
        assert mail is not None

        # One more hour in the same state (still under 30 %) raises nothing more.
        await log(http, org["headers"], project_id, 1.0)
        margin = await margin_counts(http, org["headers"], project_id, HOURS + 1)
        assert Decimal(margin["margin_percent"]) < THRESHOLD
        # Rules are judged in the margin's own transaction: once the margin shows the hour, a
        # second alert (and the mail and socket message that follow one) would be listed here.
        again = await alerts_of(http, manager)
        assert [a["id"] for a in again["alerts"] if a["type"] == "margin_threshold"] == [
            alert["id"]]
        assert again["unread_count"] == 1
        assert not [m for m in await heard_until_pong(manager_socket)
                    if m["type"] == "alert:new"]
        assert len(margin_mails_to(smtp_sink, manager["user"]["email"])) == 1

        # The member's socket has heard everything sent before its pong: never the alert.
        assert not [m for m in await heard_until_pong(member_socket) if m["type"] == "alert:new"]
    assert not margin_mails_to(smtp_sink, member["user"]["email"])
    theirs = await alerts_of(http, member)
    assert alert["id"] not in [a["id"] for a in theirs["alerts"]]

    # Read: the unread count goes to 0, and only is_read changed.
    read = await http.patch(f"/alerts/{alert['id']}", headers=auth(manager["access_token"]),
                            json={"is_read": True})
    assert read.status_code == 200, read.text
    assert read.json() == {**alert, "is_read": True}
    assert (await alerts_of(http, manager))["unread_count"] == 0
    unread = await alerts_of(http, manager, unread="true")
    assert alert["id"] not in [a["id"] for a in unread["alerts"]]
    acted = await http.put(f"/alerts/{alert['id']}", headers=auth(manager["access_token"]),
                           json={"action_taken": "Moved a junior onto the remaining work."})
    assert acted.status_code == 200, acted.text
    assert acted.json()["action_taken"] == "Moved a junior onto the remaining work."
    assert acted.json()["is_read"] is True


async def test_alerts_of_another_organization_are_not_found(http):
    org = await agency(http)
    project_id = org["project"]["id"]
    manager = org["manager"]
    await subscribe(http, manager, project_id, "in_app")
    started = time.monotonic()
    await log(http, org["headers"], project_id, HOURS)
    listed = await margin_alerts_once(http, manager, project_id, started + 15)
    [alert] = [a for a in listed["alerts"] if a["type"] == "margin_threshold"]

    stranger = await sign_up(http, org="Elsewhere")
    headers = auth(stranger["access_token"])
    assert alert["id"] not in [a["id"] for a in (await alerts_of(http, stranger))["alerts"]]
    patched = await http.patch(f"/alerts/{alert['id']}", headers=headers,
                               json={"is_read": True})
    assert patched.status_code == 404, patched.text
    deleted = await http.delete(f"/alerts/{alert['id']}", headers=headers)
    assert deleted.status_code == 404, deleted.text
    forecast = await http.get(f"/projects/{project_id}/forecast", headers=headers)
    assert forecast.status_code == 404, forecast.text
    # Still there, unread, for its own user; then its user deletes it.
    assert (await alerts_of(http, manager))["unread_count"] == 1
    gone = await http.delete(f"/alerts/{alert['id']}", headers=auth(manager["access_token"]))
    assert gone.status_code == 204, gone.text
    assert alert["id"] not in [a["id"] for a in (await alerts_of(http, manager))["alerts"]]


async def test_alerts_the_same_subscription_again_answers_the_existing_one(http):
    org = await agency(http)
    project_id = org["project"]["id"]
    manager = org["manager"]
    first = await subscribe(http, manager, project_id, "in_app")
    again = await subscribe(http, manager, project_id, "in_app", expected=200)
    assert again == first
    listed = await http.get("/alerts/subscriptions", headers=auth(manager["access_token"]))
    assert [s["id"] for s in listed.json()["subscriptions"]].count(first["id"]) == 1

    headers = auth(manager["access_token"])
    changed = await http.patch(f"/alerts/subscriptions/{first['id']}", headers=headers,
                               json={"enabled": False})
    assert changed.status_code == 200, changed.text
    assert changed.json()["enabled"] is False and changed.json()["id"] == first["id"]
    bad = await http.post("/alerts/subscribe", headers=headers, json={
        "alert_type": "margin", "delivery_method": "pager", "threshold_value": "abc"})
    assert bad.status_code == 422, bad.text
    assert {e["field"] for e in bad.json()["errors"]} == {"alert_type", "delivery_method",
                                                          "threshold_value"}
    removed = await http.delete(f"/alerts/subscriptions/{first['id']}", headers=headers)
    assert removed.status_code == 204, removed.text
    listed = await http.get("/alerts/subscriptions", headers=headers)
    assert first["id"] not in [s["id"] for s in listed.json()["subscriptions"]]


async def test_alerts_the_projects_forecast_has_its_margin_inside_its_band(http):
    org = await agency(http)
    project_id = org["project"]["id"]
    await log(http, org["headers"], project_id, HOURS)
    await margin_counts(http, org["headers"], project_id, HOURS)
    headers = auth(org["manager"]["access_token"])
    deadline = time.monotonic() + 30
    while True:
        found = await http.get(f"/projects/{project_id}/forecast", headers=headers)
        # The forecast that has heard of the hours: one refreshed before the entry's cost
        # arrived (the project's creation, say) has no margin to put a band around yet.
        if (found.status_code == 200 and found.json()["as_of"] is not None
                and (found.json()["hours_at_completion"] or 0) >= HOURS):
            break
        assert found.status_code in (200, 404), found.text
        assert time.monotonic() < deadline, f"no forecast of the hours yet: {found.text}"
        await asyncio.sleep(0.2)
    forecast = found.json()
    assert set(forecast) == FORECAST_FIELDS and forecast["project_id"] == project_id
    assert 1 <= forecast["risk_score"] <= 10
    assert 0 <= forecast["forecast_confidence"] <= 100
    low, mid, high = (Decimal(forecast[f]) for f in ("forecast_low", "forecast_margin",
                                                      "forecast_high"))
    assert low <= mid <= high
    assert isinstance(forecast["hours_at_completion"], int | float)
    assert forecast["hours_at_completion"] >= HOURS
    for factor in forecast["risk_factors"]:
        assert set(factor) == {"factor", "contribution", "detail"}
    for recommendation in forecast["recommendations"]:
        assert set(recommendation) == {"action", "detail", "impact"}

    dashboard = await http.get("/dashboards/forecast", headers=headers)
    assert dashboard.status_code == 200, dashboard.text
    assert set(dashboard.json()) == {"projects_at_risk", "resource_gaps"}
    member = await http.get(f"/projects/{project_id}/forecast",
                            headers=auth(org["member"]["access_token"]))
    assert member.status_code in (403, 404), member.text


async def forecast_of(http, headers, project_id: str, newer_than: str | None = None) -> dict:
    """The project's forecast once there is one (newer than `newer_than`), with a deadline."""
    deadline = time.monotonic() + 30
    while True:
        found = await http.get(f"/projects/{project_id}/forecast", headers=headers)
        body = found.json() if found.status_code == 200 else {}
        if body.get("as_of") and (newer_than is None or body["as_of"] > newer_than):
            return body
        assert time.monotonic() < deadline, f"no newer forecast: {found.text}"
        await asyncio.sleep(0.2)


async def test_alerts_a_fixed_fee_drifting_over_budget_raises_its_risk_and_mails_who_wants_it(
        http, smtp_sink):
    org = await agency(http)
    headers = org["headers"]
    created = await http.post("/projects", headers=headers, json={
        "name": f"Fixed {uuid.uuid4().hex[:6]}", "client_name": "Initech", "status": "active",
        "budget_type": "fixed_fee", "budget_total": "3000.00", "budget_currency": "USD",
        "start_date": day(-10), "end_date": day(20)})
    assert created.status_code == 201, created.text
    project_id = created.json()["id"]
    wants_mail, no_mail = org["manager"], await join_as(http, org["owner"], "manager")
    muted = await http.patch("/users/me", headers=auth(no_mail["access_token"]), json={
        "notification_preferences": {"margin_threshold": {"email": False}}})
    assert muted.status_code == 200, muted.text
    for who in (wants_mail, no_mail):
        await subscribe(http, who, project_id, "email")

    await log(http, headers, project_id, 5)  # 400 of cost against a 3,000 fee: healthy
    await margin_counts(http, headers, project_id, 5)
    calm = await forecast_of(http, headers, project_id)
    for _ in range(4):  # 80 more hours: the cost passes the fee
        await log(http, headers, project_id, 20)
    margin = await margin_counts(http, headers, project_id, 85)
    assert Decimal(margin["margin_percent"]) < 0 and Decimal(margin["budget_used_percent"]) > 100
    drifted = await forecast_of(http, headers, project_id, newer_than=calm["as_of"])
    deadline = time.monotonic() + 30
    while drifted["risk_score"] <= calm["risk_score"] and time.monotonic() < deadline:
        drifted = await forecast_of(http, headers, project_id, newer_than=drifted["as_of"])
    assert drifted["risk_score"] > calm["risk_score"], (calm, drifted)
    burn = next(f for f in drifted["risk_factors"] if f["factor"] == "burn_rate")
    assert Decimal(burn["contribution"]) > 0 and burn["detail"]

    # Both managers have the alert in their inbox; only the one who wants mail gets one.
    for who in (wants_mail, no_mail):  # as long as the forecast may take on a loaded machine
        await margin_alerts_once(http, who, project_id, time.monotonic() + 30)
    mail = await smtp_sink.wait_for(
        lambda m: wants_mail["user"]["email"].lower() in str(m["To"]).lower(), timeout=15)
    assert mail is not None
    assert not margin_mails_to(smtp_sink, no_mail["user"]["email"])
