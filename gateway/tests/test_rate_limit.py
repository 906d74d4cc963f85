"""Requests per caller in a sliding window: RateLimit-* headers always, 429 + Retry-After
past it."""

from __future__ import annotations


async def test_every_answer_carries_the_rate_limit_headers(make_client):
    client = make_client(rate_limit="5/minute")
    response = await client.get("/api/v1/nothing-here")
    assert response.headers["ratelimit-limit"] == "5"
    assert response.headers["ratelimit-remaining"] == "4"
    assert 0 < int(response.headers["ratelimit-reset"]) <= 60


async def test_past_the_limit_the_caller_gets_429_with_retry_after(make_client):
    client = make_client(rate_limit="3/minute")
    remaining = [(await client.get("/api/v1/nothing-here")).headers["ratelimit-remaining"]
                 for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert 0 < int(response.headers["retry-after"]) <= 60
    assert response.headers["ratelimit-remaining"] == "0"


async def test_an_authenticated_caller_has_its_own_bucket(make_client, issue_token):
    client = make_client(rate_limit="2/minute")
    for _ in range(2):
        await client.get("/api/v1/nothing-here")
    assert (await client.get("/api/v1/nothing-here")).status_code == 429
    authed = {"authorization": f"Bearer {issue_token()}"}
    response = await client.get("/api/v1/nothing-here", headers=authed)
    assert response.status_code == 404
    assert response.headers["ratelimit-remaining"] == "1"


async def test_a_forged_token_does_not_open_a_fresh_bucket(make_client, impostor_key, make_claims):
    import uuid

    client = make_client(rate_limit="1/minute")
    await client.get("/api/v1/nothing-here")
    forged = {"authorization": f"Bearer {impostor_key.sign(make_claims(uuid.uuid4()))}"}
    assert (await client.get("/api/v1/nothing-here", headers=forged)).status_code == 429


async def test_health_is_never_throttled(make_client):
    client = make_client(rate_limit="1/minute", health_timeout_seconds=0.2)
    statuses = {(await client.get("/api/v1/health")).status_code for _ in range(3)}
    assert statuses == {503}  # nothing is running, but it is never a 429
