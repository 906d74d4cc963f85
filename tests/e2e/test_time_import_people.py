"""A Harvest detailed export through the gateway, sent as it is: the hours of a contractor who has
no login land on their resource (with its rates), Hours Rounded and Approved? are honoured, and a
bad row names all of its problems at once.

Seed 003 gives the bulk import's endpoint but no CSV; this is the kind of file a newcomer brings:
eight rows of Harvest's detailed export, seven of them a contractor's (before, 1 of 8 imported)."""

from __future__ import annotations

import uuid

import pytest
from e2e_helpers import auth, sign_up
from test_time_import import finished

pytestmark = pytest.mark.e2e

EXPORT = """\
Date,Client,Project,Project Code,Task,Notes,Hours,Hours Rounded,Billable?,Invoiced?,Approved?,\
First Name,Last Name,Roles,Employee?,Billable Rate,Billable Amount,Cost Rate,Cost Amount,\
Currency,External Reference URL
2026-01-05,Globex,{project},GX,Design,Kick-off,1.10,1.25,Yes,No,Yes,Olive,Owner,,Yes,,,,,,
2026-01-05,Globex,{project},GX,Development,API spike,3.00,3.00,Yes,No,Yes,Carla,Contractor,,No,,,,,,
2026-01-06,Globex,{project},GX,Development,API,7.50,7.50,Yes,No,Yes,Carla,Contractor,,No,,,,,,
2026-01-07,Globex,{project},GX,Development,API,6.20,6.25,Yes,No,No,Carla,Contractor,,No,,,,,,
2026-01-08,Globex,{project},GX,Development,Review,0.40,0.50,Yes,No,No,carla,CONTRACTOR,,No,,,,,,
2026-01-09,Globex,{project},GX,Meetings,Standup,0.25,0.25,No,No,No,Carla,Contractor,,No,,,,,,
2026-01-12,Globex,{project},GX,Development,Fixes,4.00,4.00,Yes,No,No,Carla,Contractor,,No,,,,,,
13/01/2026,Globex,Elsewhere,GX,Development,,0,,Yes,No,Perhaps,Carl,Unknown,,No,,,,,,
"""


async def test_a_harvest_export_imports_a_contractors_rows_onto_their_resource(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    name = f"Globex site {uuid.uuid4().hex[:6]}"
    project_id = (await http.post("/projects", headers=headers,
                                  json={"name": name, "status": "active"})).json()["id"]
    created = await http.post("/resources", headers=headers, json={
        "name": "Carla Contractor", "email": f"carla-{uuid.uuid4().hex[:6]}@contractors.test",
        "seniority_level": "contractor", "billing_rate": "120.00", "cost_rate": "90.00",
        "currency": "USD", "capacity_hours_per_week": 30})
    assert created.status_code == 201, created.text
    carla = created.json()["id"]
    body = EXPORT.format(project=name).encode()

    accepted = await http.post("/time-entries/bulk-import", headers=headers,
                               files={"file": ("harvest-export.csv", body, "text/csv")})
    assert accepted.status_code == 202, accepted.text
    job = await finished(http, headers, accepted.json()["job_id"])
    assert (job["status"], job["format"], job["total"], job["processed"], job["imported"]) == \
        ("succeeded", "harvest_export", 8, 8, 7)
    # The last row: every problem at once.
    assert [(e["row"], e["field"]) for e in job["errors"]] == [
        (8, "date"), (8, "hours"), (8, "approved"), (8, "first_name"), (8, "project")]

    listed = (await http.get(f"/projects/{project_id}/time-entries", headers=headers,
                             params={"resource_id": carla})).json()["time_entries"]
    assert sorted((e["date_worked"], e["hours"], e["rounded_hours"], e["billable"],
                   e["billable_rate"], e["cost_rate"], e["status"], e["is_locked"])
                  for e in listed) == [
        ("2026-01-05", 3.0, 3.0, True, "120.00", "90.00", "approved", True),
        ("2026-01-06", 7.5, 7.5, True, "120.00", "90.00", "approved", True),
        ("2026-01-07", 6.2, 6.25, True, "120.00", "90.00", "draft", False),
        ("2026-01-08", 0.4, 0.5, True, "120.00", "90.00", "draft", False),
        ("2026-01-09", 0.25, 0.25, False, "120.00", "90.00", "draft", False),
        ("2026-01-12", 4.0, 4.0, True, "120.00", "90.00", "draft", False),
    ]
    assert all(not e["user_id"] and e["source"] == "harvest" for e in listed)
    mine = (await http.get(f"/projects/{project_id}/time-entries", headers=headers,
                           params={"user_id": owner["user"]["id"]})).json()["time_entries"]
    assert [(e["hours"], e["rounded_hours"], e["status"], e["is_locked"]) for e in mine] == \
        [(1.1, 1.25, "approved", True)]

    # Approved imports are locked like approved entries.
    locked = next(e for e in listed if e["is_locked"])
    assert (await http.delete(f"/time-entries/{locked['id']}", headers=headers)).status_code \
        == 409

    again = await http.post("/time-entries/bulk-import", headers=headers,
                            files={"file": ("harvest-export.csv", body, "text/csv")})
    assert (await finished(http, headers, again.json()["job_id"]))["imported"] == 0
