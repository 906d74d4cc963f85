"""Idempotency-Key as API.md says: the same key and body answer the first response and do nothing
twice; another body → 422; a key belongs to one caller and one endpoint; an upload's or an
import's file is part of the body."""

from __future__ import annotations

import uuid

import pytest
from e2e_helpers import auth, join_as, sign_up

pytestmark = pytest.mark.e2e

CSV = ("Date,Client,Project,Task,Notes,Hours,First name,Last name\n"
       "2026-01-05,Globex,{project},Design,Wireframes,{hours},Olive,Owner\n")


def keyed(token: str, key: str) -> dict[str, str]:
    return {**auth(token), "Idempotency-Key": key}


async def test_the_same_key_and_body_answer_the_first_response_and_another_body_is_422(http):
    owner = await sign_up(http)
    headers = keyed(owner["access_token"], uuid.uuid4().hex)
    first = await http.post("/clients", headers=headers, json={"name": "Globex"})
    again = await http.post("/clients", headers=headers, json={"name": "Globex"})
    assert first.status_code == again.status_code == 201, again.text
    assert first.json()["id"] == again.json()["id"]
    listed = await http.get("/clients", headers=auth(owner["access_token"]))
    assert [c["id"] for c in listed.json()["clients"]] == [first.json()["id"]]
    other = await http.post("/clients", headers=headers, json={"name": "Initech"})
    assert other.status_code == 422, other.text


async def test_a_key_used_on_one_endpoint_is_free_on_another(http):
    owner = await sign_up(http)
    headers = keyed(owner["access_token"], uuid.uuid4().hex)
    client = await http.post("/clients", headers=headers, json={"name": "Globex"})
    assert client.status_code == 201, client.text
    project = await http.post("/projects", headers=headers, json={"name": "Site"})
    assert project.status_code == 201, project.text
    task = await http.post(f"/projects/{project.json()['id']}/tasks", headers=headers,
                           json={"title": "Wireframes"})
    assert task.status_code == 201, task.text


async def test_a_key_never_replays_another_callers_answer(http):
    owner = await sign_up(http)
    manager = await join_as(http, owner, "manager")
    stranger = await sign_up(http, org="Other")
    key = uuid.uuid4().hex
    mine = await http.post("/clients", headers=keyed(owner["access_token"], key),
                           json={"name": "Globex"})
    # (client names are unique in an org: a replay would answer 201, a second client 409)
    colleague = await http.post("/clients", headers=keyed(manager["access_token"], key),
                                json={"name": "Globex"})
    assert colleague.status_code == 409, colleague.text
    theirs = await http.post("/clients", headers=keyed(stranger["access_token"], key),
                             json={"name": "Globex"})
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    # An API key is a caller of its own, apart from the person who made it.
    secret = (await http.post("/api-keys", headers=auth(owner["access_token"]),
                              json={"name": "sync", "role": "admin"})).json()["secret"]
    by_key = await http.post("/clients", headers=keyed(secret, key), json={"name": "Globex"})
    assert by_key.status_code == 409, by_key.text


async def test_an_upload_retried_with_its_key_is_one_version_and_other_bytes_are_422(http):
    owner = await sign_up(http)
    token = owner["access_token"]
    project = (await http.post("/projects", headers=auth(token), json={"name": "Docs"})).json()
    path = f"/projects/{project['id']}/files"
    headers = keyed(token, uuid.uuid4().hex)
    content = b"%PDF-1.7\n" + uuid.uuid4().bytes * 100
    first = await http.post(path, headers=headers,
                            files={"file": ("brief.pdf", content, "application/pdf")})
    again = await http.post(path, headers=headers,
                            files={"file": ("brief.pdf", content, "application/pdf")})
    assert first.status_code == again.status_code == 201, again.text
    assert first.json() == again.json() and first.json()["version"] == 1
    listed = (await http.get(path, headers=auth(token))).json()["files"]
    assert [f["id"] for f in listed] == [first.json()["id"]]
    other = await http.post(path, headers=headers,
                            files={"file": ("brief.pdf", content + b"x", "application/pdf")})
    assert other.status_code == 422, other.text
    # Without a key, the same name again is a new version.
    plain = await http.post(path, headers=auth(token),
                            files={"file": ("brief.pdf", content, "application/pdf")})
    assert plain.status_code == 201 and plain.json()["version"] == 2


async def test_an_import_retried_with_its_key_is_one_job_and_another_file_is_422(http):
    owner = await sign_up(http)
    token = owner["access_token"]
    headers = keyed(token, uuid.uuid4().hex)
    body = CSV.format(project="Nowhere", hours="1.5").encode()
    first = await http.post("/time-entries/bulk-import", headers=headers,
                            files={"file": ("h.csv", body, "text/csv")})
    again = await http.post("/time-entries/bulk-import", headers=headers,
                            files={"file": ("h.csv", body, "text/csv")})
    assert first.status_code == again.status_code == 202, again.text
    assert first.json()["job_id"] == again.json()["job_id"]
    other = await http.post("/time-entries/bulk-import", headers=headers,
                            files={"file": ("h.csv", CSV.format(project="Nowhere", hours="2")
                                            .encode(), "text/csv")})
    assert other.status_code == 422, other.text
    no_file = await http.post("/time-entries/bulk-import", headers=headers,
                              files={"other": ("h.csv", body, "text/csv")})
    assert no_file.status_code == 422, no_file.text
    assert [e["field"] for e in no_file.json()["errors"]] == ["file"]
    as_json = await http.post("/time-entries/bulk-import", headers=headers,
                              json={"entries": [{"date": "2026-01-05", "project": "Nowhere",
                                                 "hours": 1.5}]})
    assert as_json.status_code == 422, as_json.text
