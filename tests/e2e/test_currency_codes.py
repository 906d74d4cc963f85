"""Every currency the API accepts is checked against ISO 4217 (labs_common.currency): "XYZ" is
three capital letters but no currency, so each endpoint answers 422 naming its field; a code in
lower case is accepted and answered upper-cased, the same everywhere."""

from __future__ import annotations

import uuid

import pytest
from e2e_helpers import auth, sign_up
from test_time_import import finished

pytestmark = pytest.mark.e2e

MESSAGE = "must be an ISO 4217 currency code, e.g. EUR"


def named(response, field: str) -> None:
    assert response.status_code == 422, response.text
    assert {"field": field, "message": MESSAGE} in response.json()["errors"], response.text


def resource_body(**extra) -> dict:
    return {"name": "Ada", "email": f"ada-{uuid.uuid4().hex[:6]}@example.com",
            "seniority_level": "senior", "billing_rate": "150", "capacity_hours_per_week": 40,
            **extra}


async def test_xyz_is_refused_by_every_endpoint_that_takes_a_currency(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])

    named(await http.post("/clients", headers=headers,
                          json={"name": "Globex", "currency": "XYZ"}), "currency")
    client = (await http.post("/clients", headers=headers, json={"name": "Globex"})).json()
    named(await http.patch(f"/clients/{client['id']}", headers=headers,
                           json={"currency": "XYZ"}), "currency")

    named(await http.post("/projects", headers=headers,
                          json={"name": "Site", "budget_currency": "XYZ"}), "budget_currency")
    project = (await http.post("/projects", headers=headers, json={"name": "Site"})).json()
    named(await http.patch(f"/projects/{project['id']}", headers=headers,
                           json={"budget_currency": "XYZ"}), "budget_currency")
    named(await http.put(f"/projects/{project['id']}", headers=headers,
                         json={"budget_currency": "XYZ"}), "budget_currency")

    named(await http.post("/resources", headers=headers, json=resource_body(currency="XYZ")),
          "currency")
    resource = (await http.post("/resources", headers=headers, json=resource_body())).json()
    named(await http.patch(f"/resources/{resource['id']}", headers=headers,
                           json={"currency": "XYZ"}), "currency")
    named(await http.put(f"/resources/{resource['id']}", headers=headers,
                         json={"currency": "XYZ"}), "currency")

    expense = {"description": "Train", "amount": "84.20", "category": "travel",
               "expense_date": "2026-03-05"}
    named(await http.post(f"/projects/{project['id']}/expenses", headers=headers,
                          json={**expense, "currency": "XYZ"}), "currency")
    created = (await http.post(f"/projects/{project['id']}/expenses", headers=headers,
                               json=expense)).json()
    named(await http.patch(f"/expenses/{created['id']}", headers=headers,
                           json={"currency": "XYZ"}), "currency")

    current = await http.get("/organizations/current", headers=headers)
    named(await http.patch("/organizations/current",
                           headers={**headers, "If-Match": current.headers["etag"]},
                           json={"currency": "XYZ"}), "currency")

    # Nothing refused was stored.
    assert (await http.get(f"/clients/{client['id']}", headers=headers)).json()["currency"] \
        == "USD"
    assert (await http.get(f"/projects/{project['id']}", headers=headers)).json()[
        "budget_currency"] == "USD"
    assert (await http.get(f"/resources/{resource['id']}", headers=headers)).json()[
        "currency"] == "USD"
    assert (await http.get("/organizations/current", headers=headers)).json()["currency"] \
        == "USD"


async def test_a_csv_row_in_xyz_is_reported_on_its_currency(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    name = f"Site {uuid.uuid4().hex[:6]}"
    await http.post("/projects", headers=headers, json={"name": name, "status": "active"})
    csv = ("Date,Client,Project,Project Code,Task,Notes,Hours,Hours Rounded,Billable?,Invoiced?,"
           "Approved?,First Name,Last Name,Roles,Employee?,Billable Rate,Billable Amount,"
           "Cost Rate,Cost Amount,Currency,External Reference URL\n"
           f"2026-01-05,Globex,{name},GX,Design,,1.00,1.00,Yes,No,No,Olive,Owner,,Yes,150,150,"
           ",,Euro - eur,\n"
           f"2026-01-06,Globex,{name},GX,Design,,2.00,2.00,Yes,No,No,Olive,Owner,,Yes,150,300,"
           ",,Nowhere Dollar - XYZ,\n")
    accepted = await http.post("/time-entries/bulk-import", headers=headers,
                               files={"file": ("harvest.csv", csv.encode(), "text/csv")})
    assert accepted.status_code == 202, accepted.text
    job = await finished(http, headers, accepted.json()["job_id"])
    assert (job["status"], job["imported"]) == ("succeeded", 1), job
    assert [(e["row"], e["field"]) for e in job["errors"]] == [(2, "currency")]


async def test_lower_case_codes_are_accepted_and_upper_cased_everywhere(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    client = await http.post("/clients", headers=headers, json={"name": "Globex",
                                                                 "currency": "gbp"})
    assert client.status_code == 201 and client.json()["currency"] == "GBP", client.text
    project = await http.post("/projects", headers=headers,
                              json={"name": "Site", "budget_currency": "eur"})
    assert project.status_code == 201 and project.json()["budget_currency"] == "EUR", \
        project.text
    resource = await http.post("/resources", headers=headers, json=resource_body(currency="sek"))
    assert resource.status_code == 201 and resource.json()["currency"] == "SEK", resource.text
    expense = await http.post(f"/projects/{project.json()['id']}/expenses", headers=headers,
                              json={"description": "Train", "amount": "10", "category": "travel",
                                    "expense_date": "2026-03-05", "currency": "chf"})
    assert expense.status_code == 201 and expense.json()["currency"] == "CHF", expense.text
    current = await http.get("/organizations/current", headers=headers)
    org = await http.patch("/organizations/current",
                           headers={**headers, "If-Match": current.headers["etag"]},
                           json={"currency": "jpy"})
    assert org.status_code == 200 and org.json()["currency"] == "JPY", org.text
