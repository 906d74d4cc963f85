"""Bearer credentials are verified at the edge: missing, forged or expired ones get a 401."""

from __future__ import annotations

import uuid

import jwt

ME = "/api/v1/auth/me"


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def assert_unauthenticated(response, invalid_token: bool) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer")
    assert ('error="invalid_token"' in challenge) is invalid_token


async def test_no_credentials_is_a_401_with_a_bearer_challenge(client):
    assert_unauthenticated(await client.get(ME), invalid_token=False)


async def test_a_non_bearer_scheme_counts_as_no_credentials(client):
    response = await client.get(ME, headers={"authorization": "Basic YWRhOnNlY3JldA=="})
    assert_unauthenticated(response, invalid_token=False)


async def test_a_token_signed_by_a_key_outside_the_jwks_is_refused(client, impostor_key,
                                                                   make_claims):
    token = impostor_key.sign(make_claims(uuid.uuid4(), "owner"))
    assert_unauthenticated(await client.get(ME, headers=bearer(token)), invalid_token=True)


async def test_an_unsigned_alg_none_token_is_refused(client, signing_key, make_claims):
    token = jwt.encode(make_claims(uuid.uuid4(), "owner"), key=None, algorithm="none",
                       headers={"kid": signing_key.kid, "typ": "at+jwt"})
    assert_unauthenticated(await client.get(ME, headers=bearer(token)), invalid_token=True)


async def test_an_expired_token_is_refused(client, signing_key, make_claims):
    token = signing_key.sign(make_claims(uuid.uuid4(), expires_in=-120))
    response = await client.get(ME, headers=bearer(token))
    assert_unauthenticated(response, invalid_token=True)
    assert response.json()["reason"] == "TOKEN_EXPIRED"


async def test_a_token_for_another_audience_is_refused(client, signing_key, make_claims):
    token = signing_key.sign({**make_claims(uuid.uuid4()), "aud": "somebody-else"})
    assert_unauthenticated(await client.get(ME, headers=bearer(token)), invalid_token=True)


async def test_garbage_is_refused(client):
    assert_unauthenticated(await client.get(ME, headers=bearer("not.a.jwt")), invalid_token=True)
