"""Large bodies (uploads, imports) are read only for a caller who may send them: the credential
and the role are checked first, so nobody can make the gateway spool 100 MiB for nothing."""

from __future__ import annotations

import uuid

import pytest

MIB = 1024 * 1024
CHUNK = 64 * 1024
BOUNDARY = "labs-test-boundary"


async def post_streamed(app, path: str, *, total: int, content_type: str,
                        token: str | None = None, head: bytes = b"") -> tuple[int, int]:
    """POSTs a `total`-byte body (Content-Length announced) in 64 KiB chunks straight to the ASGI
    app; answers the status and how many bytes the app asked for."""
    read = 0

    async def receive():
        nonlocal read
        if read >= total:
            return {"type": "http.disconnect"}
        size = min(CHUNK, total - read)
        chunk = (head + b"x" * size)[:size] if read == 0 else b"x" * size
        read += size
        return {"type": "http.request", "body": chunk, "more_body": read < total}

    headers = [(b"content-type", content_type.encode()), (b"content-length", str(total).encode()),
               (b"host", b"gateway.test")]
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "headers": headers, "client": ("127.0.0.1", 50000),
             "server": ("gateway.test", 80)}
    started: list[dict] = []

    async def send(message):
        if message["type"] == "http.response.start":
            started.append(message)

    await app(scope, receive, send)
    return started[0]["status"], read


def multipart_head(filename: str = "big.bin") -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


@pytest.fixture
def app(client):
    return client._transport.app


async def test_an_anonymous_100_mib_upload_is_refused_without_reading_it(app):
    status, read = await post_streamed(app, f"/api/v1/projects/{uuid.uuid4()}/files",
                                       total=100 * MIB, content_type=MULTIPART,
                                       head=multipart_head())
    assert status == 401
    assert read <= CHUNK


async def test_an_upload_with_a_forged_token_is_refused_without_reading_it(app,
                                                                           impostor_key,
                                                                           make_claims):
    forged = impostor_key.sign(make_claims(uuid.uuid4(), "owner"))
    status, read = await post_streamed(app, f"/api/v1/projects/{uuid.uuid4()}/files",
                                       total=100 * MIB, content_type=MULTIPART,
                                       head=multipart_head(), token=forged)
    assert (status, read <= CHUNK) == (401, True)


async def test_a_viewers_upload_is_403_and_a_clients_404_without_reading_it(app,
                                                                            issue_token):
    path = f"/api/v1/projects/{uuid.uuid4()}/files"
    viewer = await post_streamed(app, path, total=100 * MIB, content_type=MULTIPART,
                                 head=multipart_head(), token=issue_token(role="viewer"))
    client = await post_streamed(app, path, total=100 * MIB, content_type=MULTIPART,
                                 head=multipart_head(),
                                 token=issue_token(role="client", client_id=str(uuid.uuid4())))
    assert viewer[0] == 403 and viewer[1] <= CHUNK
    assert client[0] == 404 and client[1] <= CHUNK


async def test_a_members_json_import_is_403_without_reading_it(app, issue_token):
    status, read = await post_streamed(app, "/api/v1/time-entries/bulk-import",
                                       total=200 * MIB, content_type="application/json",
                                       head=b'{"entries": [', token=issue_token())
    anonymous = await post_streamed(app, "/api/v1/time-entries/bulk-import",
                                    total=200 * MIB, content_type="application/json")
    assert (status, read) == (403, 0)
    assert (anonymous[0], anonymous[1]) == (401, 0)


async def test_an_upload_names_every_wrong_field_before_calling_the_service(client, issue_token):
    # Nothing listens at the projects address: reaching the service would be a 503.
    response = await client.post(f"/api/v1/projects/{uuid.uuid4()}/files",
                                 headers={"authorization": f"Bearer {issue_token()}"},
                                 data={"task_id": "not-a-uuid"},
                                 files={"other": ("a.txt", b"hello", "text/plain")})
    assert response.status_code == 422, response.text
    assert {e["field"] for e in response.json()["errors"]} == {"file", "task_id"}


async def test_a_members_upload_still_reaches_the_service(client, issue_token):
    response = await client.post(f"/api/v1/projects/{uuid.uuid4()}/files",
                                 headers={"authorization": f"Bearer {issue_token()}"},
                                 files={"file": ("a.txt", b"hello", "text/plain")})
    assert response.status_code == 503  # projects is down in these tests: it was asked


async def test_the_upload_is_documented_as_multipart_with_file_and_task_id(client):
    schema = (await client.get("/api/v1/openapi.json")).json()
    body = schema["paths"]["/api/v1/projects/{id}/files"]["post"]["requestBody"]
    form = body["content"]["multipart/form-data"]["schema"]
    assert body["required"] and form["required"] == ["file"]
    assert set(form["properties"]) == {"file", "task_id"}


async def test_an_idempotency_key_is_forwarded_only_for_an_authorized_caller(client, issue_token):
    # The gateway stores no answers: the key goes to the service with the caller's token, and
    # only once the caller is authenticated and may call the route (time is unreachable here:
    # forwarding it would be a 503).
    body = {"entries": [{"date": "2026-02-02", "project": "Web", "hours": 1}]}
    key = {"idempotency-key": "import-2026-02-02"}
    anonymous = await client.post("/api/v1/time-entries/bulk-import", json=body, headers=key)
    member = await client.post("/api/v1/time-entries/bulk-import", json=body,
                               headers={**key, "authorization": f"Bearer {issue_token()}"})
    manager = await client.post("/api/v1/time-entries/bulk-import", json=body, headers={
        **key, "authorization": f"Bearer {issue_token(role='manager')}"})
    assert (anonymous.status_code, member.status_code, manager.status_code) == (401, 403, 503)
