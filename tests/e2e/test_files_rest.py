"""Files through the gateway: multipart upload, versions, streamed download, refusals."""

from __future__ import annotations

import hashlib
import os

import pytest
from e2e_helpers import auth, join_as, sign_up

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.7\n" + os.urandom(1_500_000)  # bigger than the gateway's default 1 MiB limit


async def test_a_file_is_uploaded_versioned_and_streamed_back(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project = (await http.post("/projects", headers=headers, json={"name": "Docs"})).json()
    task = (await http.post(f"/projects/{project['id']}/tasks", headers=headers,
                            json={"title": "Contract"})).json()
    first = await http.post(f"/projects/{project['id']}/files", headers=headers,
                            files={"file": ("Contract v1 (signed).pdf", PDF, "application/pdf")},
                            data={"task_id": task["id"]})
    assert first.status_code == 201, first.text
    stored = first.json()
    assert (stored["version"], stored["size_bytes"], stored["task_id"]) == (1, len(PDF), task["id"])
    assert stored["sha256"] == hashlib.sha256(PDF).hexdigest()
    again = await http.post(
        f"/projects/{project['id']}/files", headers=headers,
        files={"file": ("Contract v1 (signed).pdf", PDF[:100], "application/pdf")})
    assert again.json()["version"] == 2
    download = await http.get(f"/files/{stored['id']}/content", headers=headers)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert "attachment" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"
    meta = (await http.get(f"/files/{stored['id']}", headers=headers)).json()
    assert meta["name"] == "Contract v1 (signed).pdf"
    for_task = (await http.get(f"/projects/{project['id']}/files", headers=headers,
                               params={"task_id": task["id"]})).json()["files"]
    assert [f["id"] for f in for_task] == [stored["id"]]


async def test_bad_uploads_are_refused_naming_the_field_and_others_cannot_reach_files(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project = (await http.post("/projects", headers=headers, json={"name": "Assets"})).json()
    path = f"/projects/{project['id']}/files"
    fake = await http.post(path, headers=headers,
                           files={"file": ("photo.png", b"<svg onload=x>", "image/png")})
    assert fake.status_code == 422 and fake.json()["errors"][0]["field"] == "file"
    missing = await http.post(path, headers=headers, data={"task_id": "x"})
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} >= {"file"}
    assert (await http.get(path, headers=headers)).json()["files"] == []
    viewer = await join_as(http, owner, "viewer")
    denied = await http.post(path, headers=auth(viewer["access_token"]),
                             files={"file": ("a.txt", b"hello", "text/plain")})
    assert denied.status_code == 403
    stored = (await http.post(path, headers=headers,
                              files={"file": ("a.txt", b"hello", "text/plain")})).json()
    stranger = auth((await sign_up(http, org="Elsewhere"))["access_token"])
    answers = [
        (await http.get(f"/files/{stored['id']}", headers=stranger)).status_code,
        (await http.get(f"/files/{stored['id']}/content", headers=stranger)).status_code,
        (await http.get(path, headers=stranger)).status_code,
        (await http.post(path, headers=stranger,
                         files={"file": ("b.txt", b"planted", "text/plain")})).status_code,
    ]
    assert answers == [404, 404, 404, 404]
