"""Every error is application/problem+json with the API's field names; bad input is never a 500."""

from __future__ import annotations

import structlog.testing

PROBLEM = "application/problem+json"
VALID_SIGNUP = {"email": "ada@agency.test", "password": "correct horse battery",
                "organization_name": "Ada & Co"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://") and body["title"] and body["detail"]
    return body


async def test_an_unknown_route_is_a_404_problem(client):
    assert_problem(await client.get("/api/v1/nothing-here"), 404)


async def test_a_wrong_method_is_a_405_problem_listing_the_allowed_ones(client):
    response = await client.delete("/api/v1/auth/me")
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]


async def test_an_invalid_body_is_a_422_naming_each_field(client):
    response = await client.post("/api/v1/auth/signup", json={"email": "not-an-email",
                                                              "password": "short"})
    body = assert_problem(response, 422)
    fields = {error["field"] for error in body["errors"]}
    assert fields == {"email", "password", "organization_name"}
    assert all(error["message"] for error in body["errors"])


async def test_types_are_not_coerced(client):
    response = await client.post("/api/v1/auth/signup", json={**VALID_SIGNUP, "first_name": 42})
    body = assert_problem(response, 422)
    assert [error["field"] for error in body["errors"]] == ["first_name"]


async def test_malformed_json_is_a_422_on_the_body(client):
    response = await client.post("/api/v1/auth/login", content=b'{"email": ',
                                 headers={"content-type": "application/json"})
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "body"
    assert "JSON" in body["errors"][0]["message"]


async def test_a_missing_body_is_a_422_on_the_body(client):
    body = assert_problem(await client.post("/api/v1/auth/login"), 422)
    assert body["errors"][0]["field"] == "body"


async def test_a_bad_query_parameter_is_named_without_its_location(client, issue_token):
    response = await client.get("/api/v1/organizations/current/members?limit=0",
                                headers={"authorization": f"Bearer {issue_token()}"})
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "limit"


async def test_company_name_is_accepted_for_organization_name(client):
    # Validation passes, so the call reaches identity, which is not running: 503, not 422.
    body = {**VALID_SIGNUP, "company_name": VALID_SIGNUP["organization_name"]}
    del body["organization_name"]
    assert_problem(await client.post("/api/v1/auth/signup", json=body), 503)


async def test_a_body_over_the_limit_is_refused_from_its_content_length(make_client):
    client = make_client(max_body_bytes=1024)
    response = await client.post("/api/v1/auth/login", content=b"x" * 2048,
                                 headers={"content-type": "application/json"})
    assert assert_problem(response, 413)["reason"] == "BODY_TOO_LARGE"


async def test_a_chunked_body_over_the_limit_is_refused_while_streaming(make_client):
    client = make_client(max_body_bytes=1024)

    async def chunks():
        for _ in range(8):
            yield b"x" * 512

    response = await client.post("/api/v1/auth/login", content=chunks(),
                                 headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert_problem(response, 413)


async def test_a_path_prefix_can_have_a_larger_limit(make_client):
    client = make_client(max_body_bytes=16, max_body_bytes_by_path={"/api/v1/auth/*": 4096})
    response = await client.post("/api/v1/auth/login", json={"padding": "x" * 100})
    assert_problem(response, 422)  # read and validated, not refused for its size
    response = await client.post("/api/v1/organizations/current/invitations",
                                 json={"padding": "x" * 100})
    assert_problem(response, 413)


async def test_an_unreachable_service_is_a_503(client, issue_token):
    response = await client.get("/api/v1/auth/me",
                                headers={"authorization": f"Bearer {issue_token()}"})
    assert "127.0.0.1" not in assert_problem(response, 503)["detail"]  # no internal addresses


async def test_a_method_the_service_does_not_have_is_a_501(make_client, serve_identity,
                                                           issue_token):
    # This identity speaks only the health service: every IdentityService call is UNIMPLEMENTED,
    # as when a replica older than the gateway answers during a rollout.
    client = make_client(identity_addr=await serve_identity())
    response = await client.get("/api/v1/auth/me",
                                headers={"authorization": f"Bearer {issue_token()}"})
    body = assert_problem(response, 501)
    assert body["type"].endswith("/not-implemented")
    assert "Method not found" not in body["detail"]


async def test_an_unexpected_exception_is_a_generic_500_without_a_trace(client):
    app = client._transport.app

    @app.get("/api/v1/boom")
    async def boom():
        raise RuntimeError("secret internals")

    with structlog.testing.capture_logs() as logs:
        body = assert_problem(await client.get("/api/v1/boom"), 500)
    assert "secret" not in body["detail"] and "Traceback" not in str(body)
    [logged] = [entry for entry in logs if entry["event"] == "http.unhandled"]
    assert logged["exc_info"] and logged["path"] == "/api/v1/boom"


async def test_the_openapi_document_describes_errors_as_problems(client):
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    signup = response.json()["paths"]["/api/v1/auth/signup"]["post"]
    assert list(signup["responses"]["422"]["content"]) == [PROBLEM]
    assert signup["description"]  # the route's docstring
    assert (await client.get("/api/v1/docs")).status_code == 200
