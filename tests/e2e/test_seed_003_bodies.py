"""Seed 003's request bodies, sent exactly as the seed writes them, do what API.md says: a resource
without cost rate or currency, a project with `client_name` and `pm_id` and a JSON-number budget,
time logged for a resource (a contractor without a login) at that resource's rates, PUT on a
project. Anything wrong or unknown is one 422 naming every problem, and nothing is dropped."""

from __future__ import annotations

import uuid

import pytest
from e2e_helpers import PASSWORD, auth, join_as

pytestmark = pytest.mark.e2e


async def seed_signup(http) -> dict:
    # POST /api/v1/auth/signup  Body: { email, password, company_name }
    response = await http.post("/auth/signup", json={
        "email": f"owner-{uuid.uuid4().hex[:8]}@agency.test", "password": PASSWORD,
        "company_name": "DeliverySync Agency"})
    assert response.status_code == 201, response.text
    return response.json()


async def test_seed_003s_bodies_from_resource_to_time_entry(http):
    owner = await seed_signup(http)
    headers = auth(owner["access_token"])

    # POST /api/v1/resources  Body: { name, email, seniority_level, billing_rate,
    #                                 capacity_hours_per_week }
    created = await http.post("/resources", headers=headers, json={
        "name": "Dana Contractor", "email": "dana@contractors.test",
        "seniority_level": "contractor", "billing_rate": 150.5, "capacity_hours_per_week": 20})
    assert created.status_code == 201, created.text
    dana = created.json()
    assert dana["billing_rate"] == "150.50" and dana["currency"] == "USD"  # the org's
    assert dana["cost_rate"] is None and dana["user_id"] is None

    # POST /api/v1/projects  Body: { name, client_name, budget_total, start_date, end_date, pm_id }
    created = await http.post("/projects", headers=headers, json={
        "name": "Website relaunch", "client_name": "Acme Corp", "budget_total": 50000,
        "start_date": "2027-01-04", "end_date": "2027-03-26", "pm_id": owner["user"]["id"]})
    assert created.status_code == 201, created.text
    project = created.json()
    assert project["budget_total"] == "50000.00" and project["client_id"]
    assert project["project_manager_id"] == owner["user"]["id"]

    # POST /api/v1/projects/:projectId/time-entries
    #      Body: { resource_id, hours, billable, date_worked, notes }
    created = await http.post(f"/projects/{project['id']}/time-entries", headers=headers, json={
        "resource_id": dana["id"], "hours": 7.5, "billable": True, "date_worked": "2027-01-05",
        "notes": "Homepage build"})
    assert created.status_code == 201, created.text
    entry = created.json()
    assert entry["resource_id"] == dana["id"] and entry["user_id"] is None
    assert (entry["billable_rate"], entry["currency"]) == ("150.50", "USD")
    assert entry["cost_rate"] is None and entry["hours"] == 7.5

    # GET /api/v1/projects/:projectId/time-entries  Query: ?resource_id=...
    listed = await http.get(f"/projects/{project['id']}/time-entries", headers=headers,
                            params={"resource_id": dana["id"]})
    assert [e["id"] for e in listed.json()["time_entries"]] == [entry["id"]]

    # POST /api/v1/allocations  Body: { resource_id, project_id, allocated_hours, start_date,
    #                                   end_date }
    allocated = await http.post("/allocations", headers=headers, json={
        "resource_id": dana["id"], "project_id": project["id"], "allocated_hours": 20,
        "start_date": "2027-01-04", "end_date": "2027-02-26"})
    assert allocated.status_code == 201, allocated.text

    # PUT /api/v1/projects/:id  Body: { name, budget_total, status, ... }
    put = await http.put(f"/projects/{project['id']}", headers=headers, json={
        "name": "Website relaunch v2", "budget_total": 62500.5, "status": "active"})
    assert put.status_code == 200, put.text
    assert (put.json()["name"], put.json()["budget_total"], put.json()["status"]) == (
        "Website relaunch v2", "62500.50", "active")
    # PUT /api/v1/resources/:id  Body: { ...fields }
    put = await http.put(f"/resources/{dana['id']}", headers=headers,
                         json={"cost_rate": "95.00"})
    assert put.status_code == 200, put.text
    assert put.json()["cost_rate"] == "95.00"


async def test_a_member_logs_only_their_own_time_and_bad_references_are_named(http):
    owner = await seed_signup(http)
    headers = auth(owner["access_token"])
    member = await join_as(http, owner, "member")
    project = (await http.post("/projects", headers=headers, json={"name": "Portal"})).json()
    dana = (await http.post("/resources", headers=headers, json={
        "name": "Dana", "seniority_level": "contractor", "billing_rate": "120"})).json()
    url = f"/projects/{project['id']}/time-entries"
    body = {"hours": 2, "date_worked": "2027-01-05"}

    for someone_else in ({"resource_id": dana["id"]}, {"user_id": owner["user"]["id"]}):
        refused = await http.post(url, headers=auth(member["access_token"]),
                                  json={**body, **someone_else})
        assert refused.status_code == 403, refused.text

    bad = await http.post(url, headers=headers, json={**body, "resource_id": "not-a-uuid"})
    assert bad.status_code == 422 and [e["field"] for e in bad.json()["errors"]] == [
        "resource_id"]
    unknown = await http.post(url, headers=headers, json={**body, "resource_id": str(uuid.uuid4())})
    assert unknown.status_code == 422, unknown.text
    assert [e["field"] for e in unknown.json()["errors"]] == ["resource_id"]


async def test_one_422_names_every_wrong_and_every_unknown_field(http):
    owner = await seed_signup(http)
    headers = auth(owner["access_token"])
    project = (await http.post("/projects", headers=headers, json={"name": "Portal"})).json()

    entry = await http.post(f"/projects/{project['id']}/time-entries", headers=headers, json={
        "hours": 30, "date_worked": "yesterday", "billable": "yes", "resource": "Dana"})
    assert entry.status_code == 422, entry.text
    assert {e["field"] for e in entry.json()["errors"]} == {
        "hours", "date_worked", "billable", "resource"}

    reversed_dates = await http.post("/projects", headers=headers, json={
        "name": "Later", "start_date": "2027-03-01", "end_date": "2027-01-01",
        "budget_total": 12345678901234567.89, "client_name": "Acme",
        "client_id": str(uuid.uuid4())})
    assert reversed_dates.status_code == 422
    assert {e["field"] for e in reversed_dates.json()["errors"]} == {
        "end_date", "budget_total", "client_name"}

    # Schema-valid, but the service's own rules find two problems: both are named.
    resource = await http.post("/resources", headers=headers, json={
        "name": "   ", "seniority_level": "mid", "billing_rate": "100",
        "email": "not-an-email"})
    assert resource.status_code == 422, resource.text
    assert {e["field"] for e in resource.json()["errors"]} == {"name", "email"}


async def test_a_405_lists_every_method_of_the_path(http):
    owner = await seed_signup(http)
    response = await http.post(f"/projects/{uuid.uuid4()}", headers=auth(owner["access_token"]),
                               json={})
    assert response.status_code == 405
    assert {"GET", "PUT", "PATCH", "DELETE"} <= {
        m.strip() for m in response.headers["allow"].split(",")}
