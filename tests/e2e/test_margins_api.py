"""Margins through the gateway on the whole platform: time logged on a time-and-materials project
by a person with rates becomes the project's margin (revenue = rounded hours x billable rate,
cost = hours x cost rate) on GET /projects and GET /projects/{id}, on the manager's socket as
`project:margin-updated` {project_id, margin}, on the profitability dashboard and in the margin
summary report (JSON, CSV with formulas neutralized, PDF), for managers and up only; another
organization's project is not found.

Run them alone with `-k margins`."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import websockets
from e2e_helpers import auth, join_as, receive_until, sign_up

pytestmark = pytest.mark.e2e

HOURS = 7.5
BILLING_RATE, COST_RATE = "150.00", "60.00"
CENT = Decimal("0.01")
MARGIN_FIELDS = {"currency", "budget", "revenue", "labor_cost", "expense_cost", "cost",
                 "margin_dollar", "margin_percent", "hours_logged", "billable_hours",
                 "uncosted_hours", "budget_used_percent", "hours_remaining", "days_remaining",
                 "trend", "updated_at"}


def today() -> datetime:
    return datetime.now(UTC)


def day(offset: int) -> str:
    return (today() + timedelta(days=offset)).date().isoformat()


async def agency(http) -> dict:
    """An organization whose owner is a resource with a billing and a cost rate."""
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    person = await http.post("/resources", headers=headers, json={
        "name": "Olive Owner", "user_id": owner["user"]["id"], "seniority_level": "senior",
        "billing_rate": BILLING_RATE, "cost_rate": COST_RATE, "currency": "USD"})
    assert person.status_code == 201, person.text
    return {"owner": owner, "headers": headers, "resource": person.json()}


async def new_project(http, headers, name: str | None = None) -> dict:
    created = await http.post("/projects", headers=headers, json={
        "name": name or f"Site {uuid.uuid4().hex[:6]}", "client_name": f"Client "
        f"{uuid.uuid4().hex[:6]}", "status": "active", "budget_type": "time_and_materials",
        "budget_total": "10000.00", "budget_currency": "USD", "budget_hours": 100,
        "start_date": day(-14), "end_date": day(30)})
    assert created.status_code == 201, created.text
    return created.json()


async def log(http, headers, project_id: str, hours: float = HOURS) -> dict:
    created = await http.post(f"/projects/{project_id}/time-entries", headers=headers,
                              json={"hours": hours, "date_worked": day(-1), "billable": True})
    assert created.status_code == 201, created.text
    entry = created.json()
    assert (entry["billable_rate"], entry["cost_rate"]) == (BILLING_RATE, COST_RATE), entry
    return entry


async def margin_once(http, headers, project_id: str, hours: float = HOURS,
                      timeout: float = 30.0) -> dict:
    """GET /projects/{id} once its margin counts `hours`, or AssertionError at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        found = await http.get(f"/projects/{project_id}", headers=headers)
        assert found.status_code == 200, found.text
        margin = found.json().get("margin")
        if margin is not None and margin["hours_logged"] == hours:
            return found.json()
        assert time.monotonic() < deadline, f"margin still {margin}"
        await asyncio.sleep(0.2)


def expected_figures(entry: dict) -> dict[str, Decimal]:
    revenue = Decimal(str(entry["rounded_hours"])) * Decimal(entry["billable_rate"])
    cost = Decimal(str(entry["hours"])) * Decimal(entry["cost_rate"])
    return {"revenue": revenue, "cost": cost, "margin_dollar": revenue - cost,
            "margin_percent": (revenue - cost) / revenue * 100}


def close(value: str | None, expected: Decimal) -> bool:
    return value is not None and abs(Decimal(value) - expected) <= CENT


def _decimal(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except ArithmeticError:
        return False


async def test_margins_follow_the_time_logged_at_its_rates(http):
    org = await agency(http)
    headers = org["headers"]
    project = await new_project(http, headers)
    entry = await log(http, headers, project["id"])
    body = await margin_once(http, headers, project["id"])
    margin = body["margin"]
    assert set(margin) == MARGIN_FIELDS
    want = expected_figures(entry)
    assert Decimal(margin["revenue"]) == want["revenue"]
    assert Decimal(margin["cost"]) == want["cost"] == Decimal(margin["labor_cost"])
    assert Decimal(margin["expense_cost"]) == 0
    assert Decimal(margin["margin_dollar"]) == want["margin_dollar"]
    assert close(margin["margin_percent"], want["margin_percent"])
    assert close(margin["budget_used_percent"], want["revenue"] / Decimal("10000") * 100)
    assert margin["currency"] == "USD" and Decimal(margin["budget"]) == Decimal("10000")
    for hours in ("hours_logged", "billable_hours", "uncosted_hours", "hours_remaining"):
        assert isinstance(margin[hours], int | float), hours
    assert (margin["billable_hours"], margin["uncosted_hours"]) == (HOURS, 0)
    assert margin["hours_remaining"] == 100 - HOURS
    assert isinstance(margin["days_remaining"], int)
    assert margin["trend"] in {"up", "down", "stable", None}
    for money in ("revenue", "cost", "margin_dollar", "labor_cost"):
        assert isinstance(margin[money], str), money

    listed = await http.get("/projects", headers=headers)
    assert listed.status_code == 200, listed.text
    [item] = [p for p in listed.json()["projects"] if p["id"] == project["id"]]
    assert item["margin"] == margin

    history = await http.get(f"/projects/{project['id']}/margin-history", headers=headers,
                             params={"start_date": day(-7), "end_date": day(0)})
    assert history.status_code == 200, history.text
    rows = history.json()["margins"]
    assert rows and rows[-1]["date"] <= day(0)
    assert Decimal(rows[-1]["margin_dollar"]) == want["margin_dollar"]

    dashboard = await http.get("/dashboards/profitability", headers=headers)
    assert dashboard.status_code == 200, dashboard.text
    [row] = [r for r in dashboard.json()["projects"] if r["id"] == project["id"]]
    assert row["name"] == project["name"] and row["client_name"] == project["client_name"]
    assert Decimal(row["margin_dollar"]) == Decimal(margin["margin_dollar"])
    assert Decimal(row["margin_percent"]) == Decimal(margin["margin_percent"])
    assert Decimal(row["budget"]) == Decimal(margin["budget"])
    # Actuals: what the project has consumed of its budget (its revenue for time and materials).
    assert Decimal(row["actuals"]) in (Decimal(margin["revenue"]), Decimal(margin["cost"]))
    assert row["margin_trend"] == margin["trend"]
    summary = dashboard.json()["summary"]
    assert summary["currency"] == "USD"
    assert Decimal(summary["total_margin"]) == Decimal(margin["margin_dollar"])

    metrics = await http.get("/dashboards/metrics", headers=headers)
    assert metrics.status_code == 200, metrics.text
    assert metrics.json()["active_projects"] >= 1


async def test_margins_are_for_managers_and_up_on_rest_and_sockets(http, suite):
    org = await agency(http)
    headers = org["headers"]
    project = await new_project(http, headers)
    member = await join_as(http, org["owner"], "member")
    client = await join_as(http, org["owner"], "client", client_id=project["client_id"])
    url = suite.gateway_url.replace("http://", "ws://") + "/api/v1/ws"
    async with (websockets.connect(f"{url}?token={org['owner']['access_token']}") as manager,
                websockets.connect(f"{url}?token={member['access_token']}") as staff):
        for socket in (manager, staff):
            await socket.send('{"type": "ping"}')
            await receive_until(socket, lambda m: m["type"] == "pong")
        await log(http, headers, project["id"])
        pushed = await receive_until(
            manager, lambda m: m["type"] == "project:margin-updated"
            and m["data"]["project_id"] == project["id"]
            and m["data"]["margin"]["hours_logged"] == HOURS, timeout=30)
        body = await margin_once(http, headers, project["id"])
        # The member's socket has heard everything sent before its pong: never a margin.
        await staff.send('{"type": "ping"}')
        heard = []
        while (message := json.loads(await asyncio.wait_for(staff.recv(), 10)))["type"] != "pong":
            heard.append(message["type"])
        assert "project:margin-updated" not in heard

    assert set(pushed["data"]) == {"project_id", "margin"}
    assert set(pushed["data"]["margin"]) == MARGIN_FIELDS
    assert pushed["data"]["margin"]["revenue"] == body["margin"]["revenue"]
    assert pushed["data"]["margin"]["margin_dollar"] == body["margin"]["margin_dollar"]
    assert isinstance(pushed["data"]["margin"]["billable_hours"], int | float)

    for reader in (member, client):
        one = await http.get(f"/projects/{project['id']}", headers=auth(reader["access_token"]))
        assert one.status_code == 200, one.text
        assert "margin" not in one.json()
        listed = await http.get("/projects", headers=auth(reader["access_token"]))
        assert listed.status_code == 200, listed.text
        assert listed.json()["projects"] and all("margin" not in p
                                                 for p in listed.json()["projects"])
    refused = await http.get(f"/projects/{project['id']}/margin-history",
                             headers=auth(member["access_token"]))
    assert refused.status_code in (403, 404), refused.text
    export = await http.post(f"/projects/{project['id']}/export-margin-detail",
                             headers=auth(member["access_token"]), json={"format": "csv"})
    assert export.status_code in (403, 404), export.text


async def test_margins_of_another_organization_are_not_found(http):
    org = await agency(http)
    project = await new_project(http, org["headers"])
    stranger = await sign_up(http, org="Elsewhere")
    response = await http.get(f"/projects/{project['id']}/margin-history",
                              headers=auth(stranger["access_token"]))
    assert response.status_code == 404, response.text
    export = await http.post(f"/projects/{project['id']}/export-margin-detail",
                             headers=auth(stranger["access_token"]), json={"format": "csv"})
    assert export.status_code == 404, export.text


async def test_margins_reports_agree_and_their_files_are_safe(http):
    org = await agency(http)
    headers = org["headers"]
    project = await new_project(http, headers, name="=cmd")
    await log(http, headers, project["id"])
    margin = (await margin_once(http, headers, project["id"]))["margin"]
    span = {"start_date": day(-7), "end_date": day(0)}

    report = await http.get("/reports/margin-summary", headers=headers, params=span)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["currency"] == "USD"
    [row] = [r for r in body["projects"] if r["id"] == project["id"]]
    assert row["name"] == "=cmd" and row["hours"] == margin["hours_logged"]
    for figure in ("revenue", "cost", "margin_dollar"):
        assert Decimal(row[figure]) == Decimal(margin[figure]), figure
        assert Decimal(body["totals"][figure]) == Decimal(margin[figure]), figure
    assert Decimal(row["margin_percent"]) == Decimal(margin["margin_percent"])

    as_csv = await http.get("/reports/margin-summary", headers=headers,
                            params={**span, "format": "csv"})
    assert as_csv.status_code == 200, as_csv.text
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["content-disposition"]
    assert ".csv" in as_csv.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert {"name", "revenue", "cost"} <= {cell.strip().lower() for cell in rows[0]}
    cells = [cell for line in rows[1:] for cell in line]
    assert "'=cmd" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)

    as_pdf = await http.get("/reports/margin-summary", headers=headers,
                            params={**span, "format": "pdf"})
    assert as_pdf.status_code == 200, as_pdf.text
    assert as_pdf.headers["content-type"] == "application/pdf"
    assert as_pdf.content.startswith(b"%PDF")

    utilization = await http.get("/reports/resource-utilization", headers=headers, params=span)
    assert utilization.status_code == 200, utilization.text
    [person] = [r for r in utilization.json()["resources"]
                if r["resource_id"] == org["resource"]["id"]]
    assert person["logged_hours"] == HOURS and person["billable_hours"] == HOURS

    detail = await http.post(f"/projects/{project['id']}/export-margin-detail", headers=headers,
                             json={"format": "csv"})
    assert detail.status_code == 200, detail.text
    assert detail.headers["content-type"].startswith("text/csv")
    detail_cells = [cell for line in csv.reader(io.StringIO(detail.content.decode("utf-8-sig")))
                    for cell in line]
    assert not any(cell.startswith(("=", "+", "@")) for cell in detail_cells)
    assert any(close(cell, Decimal(COST_RATE)) for cell in detail_cells if _decimal(cell))
    detail_pdf = await http.post(f"/projects/{project['id']}/export-margin-detail",
                                 headers=headers, json={"format": "pdf"})
    assert detail_pdf.status_code == 200 and detail_pdf.content.startswith(b"%PDF")
