"""The over_allocation alert through the gateway (API.md, alert rules: "over_allocation (from
capacity)"): a manager subscribed in the app, a person booked past their week's capacity, and
the alert is listed by GET /alerts within 5 s, once per person and week; a subscription of
another organization hears nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from e2e_helpers import auth, eventually, sign_up

pytestmark = pytest.mark.e2e


def monday(weeks_ahead: int = 0) -> str:
    today = datetime.now(UTC).date()
    return (today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_ahead)).isoformat()


async def booked_over(http) -> tuple[dict, dict]:
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    subscribed = await http.post("/alerts/subscribe", headers=headers, json={
        "alert_type": "over_allocation", "delivery_method": "in_app"})
    assert subscribed.status_code == 201, subscribed.text
    person = (await http.post("/resources", headers=headers, json={
        "name": "Ana Lima", "seniority_level": "mid", "billing_rate": "120.00",
        "cost_rate": "50.00", "capacity_hours_per_week": 40})).json()
    project = (await http.post("/projects", headers=headers, json={
        "name": "Relaunch", "client_name": "Acme", "status": "active",
        "budget_type": "fixed_fee", "budget_total": "9000.00", "budget_currency": "USD",
        "start_date": monday(-1), "end_date": monday(8)})).json()
    allocated = await http.post("/allocations", headers=headers, json={
        "resource_id": person["id"], "project_id": project["id"], "allocated_hours": 46,
        "start_date": monday(1), "end_date": (datetime.fromisoformat(monday(2))
                                              - timedelta(days=1)).date().isoformat()})
    assert allocated.status_code == 201, allocated.text
    return headers, person


async def test_booking_a_person_past_their_week_raises_one_alert(http):
    headers, person = await booked_over(http)

    async def raised():
        alerts = (await http.get("/alerts", headers=headers, params={"type": "over_allocation"}))
        return [a for a in alerts.json()["alerts"] if a["resource_id"] == person["id"]]

    [alert] = await eventually(raised, "an over_allocation alert", timeout=10)
    assert alert["type"] == "over_allocation" and alert["severity"] in ("critical", "warning")
    assert "Ana Lima" in alert["message"]

    other = auth((await sign_up(http, "Elsewhere"))["access_token"])
    listed = await http.get("/alerts", headers=other, params={"type": "over_allocation"})
    assert listed.status_code == 200 and listed.json()["alerts"] == []
