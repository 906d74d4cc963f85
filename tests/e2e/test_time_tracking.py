"""Time through the gateway as a web client uses it: a day tracked with timers from two devices,
a week approved, expenses, and another org's objects answering 404 on every route."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import websockets
from e2e_helpers import auth, join_as, receive_until, sign_up

pytestmark = pytest.mark.e2e


async def new_project(http, headers, **fields) -> str:
    created = await http.post("/projects", headers=headers, json={
        "name": f"Site {uuid.uuid4().hex[:6]}", "status": "active", **fields})
    assert created.status_code == 201, created.text
    return created.json()["id"]


async def test_logging_time_with_rates_rounding_validation_and_locking(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    settings = await http.patch("/organizations/current", headers=headers, json={
        "settings": {"time_rounding": {"unit_minutes": 15, "mode": "up"}}})
    assert settings.status_code == 200, settings.text
    project_id = await new_project(http, headers, billing_rate_override="180.00",
                                   budget_currency="EUR")

    created = await http.post(f"/projects/{project_id}/time-entries", headers=headers,
                              json={"hours": 1.1, "date_worked": "2026-03-03",
                                    "notes": "kick-off"})
    assert created.status_code == 201, created.text
    entry = created.json()
    assert (entry["hours"], entry["rounded_hours"]) == (1.1, 1.25)
    assert (entry["billable_rate"], entry["currency"], entry["rate_source"]) == \
        ("180.00", "EUR", "project")
    assert entry["billable"] is True and entry["status"] == "draft"

    by_span = await http.post(f"/projects/{project_id}/time-entries", headers=headers, json={
        "started_at": "2026-03-04T09:00:00Z", "ended_at": "2026-03-04T10:30:00Z"})
    assert by_span.status_code == 201 and by_span.json()["hours"] == 1.5

    for body, field in (({"hours": 0}, "hours"), ({"hours": 25}, "hours"),
                        ({"hours": 1, "date_worked": "1800-01-01"}, "date_worked"),
                        ({"started_at": "2026-03-04T10:00:00Z",
                          "ended_at": "2026-03-04T09:00:00Z"}, "ended_at"),
                        ({"started_at": "yesterday", "ended_at": "2026-03-04T09:00:00Z"},
                         "started_at")):
        refused = await http.post(f"/projects/{project_id}/time-entries", headers=headers,
                                  json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["errors"][0]["field"] == field

    listed = await http.get("/time-entries", headers=headers,
                            params={"project_id": project_id, "limit": 1})
    assert listed.status_code == 200
    page = listed.json()
    assert len(page["time_entries"]) == 1 and page["next_cursor"]
    rest = await http.get(f"/projects/{project_id}/time-entries", headers=headers,
                          params={"limit": 1, "cursor": page["next_cursor"]})
    assert [e["id"] for e in rest.json()["time_entries"]] == [entry["id"]]

    patched = await http.patch(f"/time-entries/{entry['id']}", headers=headers,
                               json={"notes": "kick-off call"})
    assert patched.status_code == 200 and patched.json()["hours"] == 1.1
    stale = await http.patch(f"/time-entries/{entry['id']}",
                             headers={**headers, "If-Match": created.headers["ETag"]},
                             json={"notes": "lost"})
    assert stale.status_code == 412

    week = {"date_from": "2026-03-02", "date_to": "2026-03-08"}
    submitted = await http.post("/time-entries/submit", headers=headers, json=week)
    assert len(submitted.json()["time_entries"]) == 2
    approved = await http.post("/time-entries/approve", headers=headers,
                               json={"user_id": owner["user"]["id"], **week})
    assert all(e["is_locked"] for e in approved.json()["time_entries"])
    assert (await http.delete(f"/time-entries/{entry['id']}", headers=headers)).status_code == 409
    assert (await http.put(f"/time-entries/{entry['id']}", headers=headers,
                           json={"hours": 2})).status_code == 409
    reopened = await http.post("/time-entries/reopen", headers=headers, json={
        "entry_ids": [entry["id"]], "reason": "wrong project"})
    assert reopened.status_code == 200 and not reopened.json()["time_entries"][0]["is_locked"]
    assert (await http.delete(f"/time-entries/{entry['id']}", headers=headers)).status_code == 204


async def test_a_day_tracked_from_two_devices_goes_live_over_the_websocket(http, suite):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project_id = await new_project(http, headers)
    ws_url = suite.gateway_url.replace("http://", "ws://") + "/api/v1/ws"
    async with websockets.connect(f"{ws_url}?token={owner['access_token']}") as socket:
        laptop, phone = await asyncio.gather(*(
            http.post("/timers/start", headers=headers, json={"project_id": project_id})
            for _ in range(2)))
        assert laptop.status_code == phone.status_code == 201
        started = await receive_until(socket, lambda m: m["type"] == "time:entry:started")
        assert started["data"]["project_id"] == project_id
        current = await http.get("/timers/current", headers=headers)
        assert current.status_code == 200 and current.json()["is_running"]
        running = [e for e in (await http.get("/time-entries", headers=headers)).json()[
            "time_entries"] if e["is_running"]]
        assert len(running) == 1

        stopped = await http.post("/timers/stop", headers=headers)
        assert stopped.status_code == 200 and not stopped.json()["is_running"]
        message = await receive_until(socket, lambda m: m["type"] == "time:entry:stopped"
                                      and m["data"]["id"] == stopped.json()["id"])
        # The entry as REST answered the stop, hours as a number.
        assert message["data"] == stopped.json() and message["data"]["hours"] == 0.01
    assert (await http.post("/timers/stop", headers=headers)).status_code == 409
    assert (await http.get("/timers/current", headers=headers)).status_code == 404


async def test_expenses_with_currency_and_billable_flag(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project_id = await new_project(http, headers, budget_currency="GBP")
    created = await http.post(f"/projects/{project_id}/expenses", headers=headers, json={
        "description": "Train to client", "amount": "84.20", "category": "travel",
        "expense_date": "2026-03-05", "billable": False})
    assert created.status_code == 201, created.text
    expense = created.json()
    assert (expense["amount"], expense["currency"], expense["billable"]) == \
        ("84.20", "GBP", False)
    bad = await http.post(f"/projects/{project_id}/expenses", headers=headers, json={
        "description": "Lunch", "amount": "-1", "category": "travel"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "amount"
    wrong_category = await http.post(f"/projects/{project_id}/expenses", headers=headers, json={
        "description": "Lunch", "amount": "10", "category": "food"})
    assert wrong_category.status_code == 422
    patched = await http.patch(f"/expenses/{expense['id']}", headers=headers,
                               json={"amount": "90.00", "billable": True})
    assert patched.json()["amount"] == "90.00" and patched.json()["billable"] is True
    listed = await http.get(f"/projects/{project_id}/expenses", headers=headers)
    assert [x["id"] for x in listed.json()["expenses"]] == [expense["id"]]
    assert (await http.delete(f"/expenses/{expense['id']}", headers=headers)).status_code == 204


async def test_another_organizations_time_is_not_found_on_every_route(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project_id = await new_project(http, headers)
    entry = (await http.post(f"/projects/{project_id}/time-entries", headers=headers,
                             json={"hours": 1})).json()
    expense = (await http.post(f"/projects/{project_id}/expenses", headers=headers, json={
        "description": "Fonts", "amount": "30", "category": "software"})).json()

    stranger = auth((await sign_up(http, org="Other"))["access_token"])
    checks = [
        ("POST", f"/projects/{project_id}/time-entries", {"hours": 1}),
        ("GET", f"/projects/{project_id}/time-entries", None),
        ("GET", f"/time-entries/{entry['id']}", None),
        ("PATCH", f"/time-entries/{entry['id']}", {"notes": "x"}),
        ("PUT", f"/time-entries/{entry['id']}", {"notes": "x"}),
        ("DELETE", f"/time-entries/{entry['id']}", None),
        ("POST", "/timers/start", {"project_id": project_id}),
        ("GET", "/timers/current", None),
        ("POST", "/time-entries/reopen", {"entry_ids": [entry["id"]], "reason": "x"}),
        ("POST", f"/projects/{project_id}/expenses",
         {"description": "x", "amount": "1", "category": "other"}),
        ("GET", f"/projects/{project_id}/expenses", None),
        ("GET", f"/expenses/{expense['id']}", None),
        ("PATCH", f"/expenses/{expense['id']}", {"amount": "2"}),
        ("DELETE", f"/expenses/{expense['id']}", None),
    ]
    for method, path, body in checks:
        answer = await http.request(method, path, headers=stranger, json=body)
        assert answer.status_code == 404, (method, path, answer.text)
    theirs = await http.get("/time-entries", headers=stranger)
    assert theirs.json()["time_entries"] == []
    week = {"date_from": "2026-01-01", "date_to": "2026-12-31"}
    approved = await http.post("/time-entries/approve", headers=stranger,
                               json={"user_id": owner["user"]["id"], **week})
    assert approved.json()["time_entries"] == []
    submitted = await http.post("/time-entries/submit", headers=stranger, json=week)
    assert submitted.json()["time_entries"] == []
    still = await http.get(f"/time-entries/{entry['id']}", headers=headers)
    assert still.json()["status"] == "draft"


async def test_members_log_their_own_time_and_viewers_none(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project_id = await new_project(http, headers)
    member = await join_as(http, owner, "member")
    viewer = await join_as(http, owner, "viewer")
    logged = await http.post(f"/projects/{project_id}/time-entries",
                             headers=auth(member["access_token"]), json={"hours": 2})
    assert logged.status_code == 201
    for_owner = await http.post(f"/projects/{project_id}/time-entries",
                                headers=auth(member["access_token"]),
                                json={"hours": 2, "user_id": owner["user"]["id"]})
    assert for_owner.status_code == 403
    by_viewer = await http.post(f"/projects/{project_id}/time-entries",
                                headers=auth(viewer["access_token"]), json={"hours": 2})
    assert by_viewer.status_code == 403
    approve = await http.post("/time-entries/approve", headers=auth(member["access_token"]),
                              json={"user_id": member["user"]["id"],
                                    "date_from": "2026-01-01", "date_to": "2026-01-31"})
    assert approve.status_code == 403
