"""CSV and JSON imports through the gateway: 202 with a job, progress to the end, every bad row
explained, and the same file twice importing nothing new."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from e2e_helpers import auth, join_as, sign_up

pytestmark = pytest.mark.e2e

HARVEST = ("Date,Client,Project,Task,Notes,Hours,First name,Last name\n"
           "2026-01-05,Globex,{project},Design,Wireframes,1.5,Olive,Owner\n"
           "2026-01-06,Globex,{project},Design,,-1,Olive,Owner\n"
           "2026-01-07,Globex,Elsewhere,Design,,1,Olive,Owner\n")


async def finished(http, headers, job_id: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = (await http.get(f"/import-jobs/{job_id}", headers=headers)).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError("the import did not finish before the deadline")


async def test_a_harvest_csv_imports_once_with_every_bad_row_explained(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    name = f"Site {uuid.uuid4().hex[:6]}"
    created = await http.post("/projects", headers=headers, json={"name": name,
                                                                  "status": "active"})
    project_id = created.json()["id"]
    body = HARVEST.format(project=name).encode()

    accepted = await http.post("/time-entries/bulk-import", headers=headers,
                               files={"file": ("harvest.csv", body, "text/csv")})
    assert accepted.status_code == 202, accepted.text
    job = await finished(http, headers, accepted.json()["job_id"])
    assert (job["status"], job["format"], job["total"], job["processed"], job["imported"]) == \
        ("succeeded", "harvest_import", 3, 3, 1)
    assert [(e["row"], e["field"]) for e in job["errors"]] == [(2, "hours"), (3, "project")]

    again = await http.post("/time-entries/bulk-import", headers=headers,
                            files={"file": ("harvest.csv", body, "text/csv")})
    assert (await finished(http, headers, again.json()["job_id"]))["imported"] == 0
    entries = (await http.get(f"/projects/{project_id}/time-entries", headers=headers)).json()
    assert [(e["hours"], e["source"]) for e in entries["time_entries"]] == [(1.5, "import")]

    created_too = await http.post("/time-entries/bulk-import", headers=headers,
                                  params={"create_missing": "true"},
                                  files={"file": ("harvest.csv", body, "text/csv")})
    job = await finished(http, headers, created_too.json()["job_id"])
    assert job["imported"] == 1 and [e["row"] for e in job["errors"]] == [2]


async def test_json_entries_import_and_jobs_are_private_to_their_org(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    name = f"Api {uuid.uuid4().hex[:6]}"
    await http.post("/projects", headers=headers, json={"name": name, "status": "active"})
    accepted = await http.post("/time-entries/bulk-import", headers=headers, json={"entries": [
        {"date": "2026-02-02", "project": name, "hours": 2.25, "email": owner["user"]["email"]},
    ]})
    assert accepted.status_code == 202, accepted.text
    job = await finished(http, headers, accepted.json()["job_id"])
    assert (job["status"], job["imported"]) == ("succeeded", 1)

    bad = await http.post("/time-entries/bulk-import", headers=headers, json={"entries": []})
    assert bad.status_code == 422
    member = await join_as(http, owner, "member")
    denied = await http.post("/time-entries/bulk-import", headers=auth(member["access_token"]),
                             files={"file": ("a.csv", b"Date\n", "text/csv")})
    assert denied.status_code == 403
    stranger = auth((await sign_up(http, org="Other"))["access_token"])
    hidden = await http.get(f"/import-jobs/{accepted.json()['job_id']}", headers=stranger)
    assert hidden.status_code == 404


async def test_a_retried_upload_with_the_same_idempotency_key_is_one_job(http):
    owner = await sign_up(http)
    headers = {**auth(owner["access_token"]), "Idempotency-Key": uuid.uuid4().hex}
    body = HARVEST.format(project="Nowhere").encode()
    first = await http.post("/time-entries/bulk-import", headers=headers,
                            files={"file": ("h.csv", body, "text/csv")})
    second = await http.post("/time-entries/bulk-import", headers=headers,
                             files={"file": ("h.csv", body, "text/csv")})
    assert first.status_code == second.status_code == 202, second.text
    assert first.json()["job_id"] == second.json()["job_id"]
    job = await finished(http, auth(owner["access_token"]), first.json()["job_id"])
    assert job["status"] == "succeeded" and job["imported"] == 0
