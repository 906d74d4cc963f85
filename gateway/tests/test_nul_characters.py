"""U+0000 anywhere in a request's text is a 422 naming each field, before any service is called
(PostgreSQL's text cannot hold it: the service would answer 500). Every service address in these
tests is unreachable, so a request that got through would be a 503."""

from __future__ import annotations

import uuid

import pytest

NUL_ESCAPE = "\\u0000"


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def nul_fields(response) -> set[str]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert all("U+0000" in e["message"] for e in body["errors"])
    return {e["field"] for e in body["errors"]}


async def test_every_json_string_holding_nul_is_named_however_deep(client, issue_token):
    body = ('{"name": "Ac' + NUL_ESCAPE + 'me", "settings": {"slack": {"channel": "#a'
            + NUL_ESCAPE + '"}, "tags": ["ok", "b' + NUL_ESCAPE + 'd"]}}')
    response = await client.patch("/api/v1/organizations/current", content=body,
                                  headers={**bearer(issue_token(role="owner")),
                                           "content-type": "application/json"})
    assert nul_fields(response) == {"name", "settings.slack.channel", "settings.tags.1"}


async def test_a_key_holding_nul_is_named_too(client, issue_token):
    body = '{"settings": {"a' + NUL_ESCAPE + 'b": 1}}'
    response = await client.patch("/api/v1/organizations/current", content=body,
                                  headers={**bearer(issue_token(role="owner")),
                                           "content-type": "application/json"})
    assert nul_fields(response) == {"settings.a\\u0000b"}


async def test_a_public_route_refuses_nul_too(client):
    response = await client.post("/api/v1/auth/login", json={
        "email": "ada@agency.test", "password": "correct horse\x00battery"})
    assert nul_fields(response) == {"password"}


async def test_query_and_path_parameters_holding_nul_are_named(client, issue_token):
    listed = await client.get("/api/v1/projects?q=web%00site&status=active&client_id=%00",
                              headers=bearer(issue_token()))
    assert nul_fields(listed) == {"q", "client_id"}
    one = await client.get("/api/v1/clients/ab%00cd", headers=bearer(issue_token()))
    assert nul_fields(one) == {"id"}


async def test_credentials_are_checked_before_the_input(client):
    response = await client.get("/api/v1/projects?q=web%00site")
    assert response.status_code == 401


async def test_a_json_import_naming_nul_rows_is_refused_before_the_service(client, issue_token):
    body = ('{"entries": [{"date": "2026-02-02", "project": "Web", "hours": 1}, '
            '{"date": "2026-02-02", "project": "Web", "hours": 1, "notes": "x' + NUL_ESCAPE
            + '"}]}')
    response = await client.post("/api/v1/time-entries/bulk-import", content=body,
                                 headers={**bearer(issue_token(role="manager")),
                                          "content-type": "application/json"})
    assert nul_fields(response) == {"entries.1.notes"}


def multipart(*parts: tuple[bytes, bytes]) -> tuple[bytes, str]:
    """A multipart body built by hand: clients percent-encode a NUL in a file name, a raw one
    is what an attacker sends."""
    boundary = "nul-test"
    body = b"".join(b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; "
                    + disposition + b"\r\n\r\n" + value + b"\r\n" for disposition, value in parts)
    return body + b"--" + boundary.encode() + b"--\r\n", f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("path", ["/api/v1/projects/{id}/files",
                                  "/api/v1/time-entries/bulk-import"])
async def test_multipart_file_names_and_field_values_holding_nul_are_named(client, issue_token,
                                                                           path):
    body, content_type = multipart((b'name="file"; filename="rep\x00ort.csv"', b"Date\n"),
                                   (b'name="task_id"', b"ab\x00cd"))
    response = await client.post(path.format(id=uuid.uuid4()), content=body,
                                 headers={**bearer(issue_token(role="manager")),
                                          "content-type": content_type})
    assert nul_fields(response) == {"file", "task_id"}


async def test_a_csv_import_holding_a_nul_byte_is_refused_naming_the_file(client, issue_token):
    body, content_type = multipart((b'name="file"; filename="hours.csv"',
                                    b"Date,Project,Hours,Notes\n2026-02-02,Web,1,ab\x00cd\n"))
    response = await client.post("/api/v1/time-entries/bulk-import", content=body,
                                 headers={**bearer(issue_token(role="manager")),
                                          "content-type": content_type})
    assert nul_fields(response) == {"file"}
