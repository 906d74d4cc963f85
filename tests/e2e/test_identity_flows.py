"""Identity through the gateway, as the web and mobile clients use it (API.md, Identity)."""

from __future__ import annotations

import uuid

import pytest
from e2e_helpers import PASSWORD, auth, join_as, sign_up

pytestmark = pytest.mark.e2e


async def test_signup_login_refresh_reuse_and_logout(http):
    owner = await sign_up(http, org="Studio Flow")
    assert owner["token_type"] == "Bearer" and owner["expires_in"] > 0
    assert owner["organization"]["name"] == "Studio Flow"

    login = await http.post(
        "/auth/login", json={"email": owner["user"]["email"].upper(), "password": PASSWORD}
    )
    assert login.status_code == 200
    session = login.json()

    refreshed = await http.post("/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert new["refresh_token"] != session["refresh_token"]

    reused = await http.post("/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert reused.status_code == 401
    assert reused.headers["content-type"].startswith("application/problem+json")
    # Reuse revoked the family: the newer token is dead too.
    assert (
        await http.post("/auth/refresh", json={"refresh_token": new["refresh_token"]})
    ).status_code == 401

    me = await http.get("/auth/me", headers=auth(owner["access_token"]))
    assert me.status_code == 200
    assert me.json()["role"] == "owner" and me.json()["user"]["id"] == owner["user"]["id"]

    assert (await http.post("/auth/logout", headers=auth(owner["access_token"]))).status_code == 204
    assert (
        await http.post("/auth/refresh", json={"refresh_token": owner["refresh_token"]})
    ).status_code == 401


async def test_company_name_is_accepted_for_organization_name(http):
    response = await http.post(
        "/auth/signup",
        json={
            "email": f"alias-{uuid.uuid4().hex[:6]}@example.com",
            "password": PASSWORD,
            "company_name": "Alias & Co",
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["organization"]["name"] == "Alias & Co"


async def test_invitations_roles_and_members(http):
    owner = await sign_up(http)
    member = await join_as(http, owner, "member")
    assert member["organization"]["id"] == owner["organization"]["id"]

    members = await http.get("/organizations/current/members", headers=auth(owner["access_token"]))
    assert members.status_code == 200
    roles = {m["user"]["id"]: m["role"] for m in members.json()["members"]}
    assert roles == {owner["user"]["id"]: "owner", member["user"]["id"]: "member"}

    forbidden = await http.post(
        "/organizations/current/invitations",
        headers=auth(member["access_token"]),
        json={"email": "someone@example.com", "role": "viewer"},
    )
    assert forbidden.status_code == 403

    promoted = await http.patch(
        f"/organizations/current/members/{member['user']['id']}",
        headers=auth(owner["access_token"]),
        json={"role": "manager"},
    )
    assert promoted.status_code == 200 and promoted.json()["role"] == "manager"

    last_owner = await http.patch(
        f"/organizations/current/members/{owner['user']['id']}",
        headers=auth(owner["access_token"]),
        json={"role": "admin"},
    )
    assert last_owner.status_code == 409

    removed = await http.delete(
        f"/organizations/current/members/{member['user']['id']}",
        headers=auth(owner["access_token"]),
    )
    assert removed.status_code == 204
    relogin = await http.post(
        "/auth/login", json={"email": member["user"]["email"], "password": PASSWORD}
    )
    assert relogin.status_code == 401


async def test_organization_update_with_etags(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    current = await http.get("/organizations/current", headers=headers)
    etag = current.headers["etag"]
    updated = await http.patch(
        "/organizations/current", headers={**headers, "If-Match": etag}, json={"currency": "EUR"}
    )
    assert updated.status_code == 200 and updated.json()["currency"] == "EUR"
    stale = await http.patch(
        "/organizations/current", headers={**headers, "If-Match": etag}, json={"currency": "GBP"}
    )
    assert stale.status_code == 412
    assert (await http.get("/organizations/current", headers=headers)).json()["currency"] == "EUR"


async def test_api_keys_authenticate_until_revoked(http):
    owner = await sign_up(http)
    created = await http.post(
        "/api-keys",
        headers=auth(owner["access_token"]),
        json={"name": "reporting", "role": "viewer"},
    )
    assert created.status_code == 201
    secret = created.json()["secret"]
    key_id = created.json()["api_key"]["id"]
    assert secret.startswith("lbk_")

    me = await http.get("/auth/me", headers=auth(secret))
    assert me.status_code == 200 and me.json()["role"] == "viewer"
    listed = await http.get("/api-keys", headers=auth(owner["access_token"]))
    assert [k["id"] for k in listed.json()["api_keys"]] == [key_id]
    assert "secret" not in listed.json()["api_keys"][0]

    # A viewer key cannot manage the organization.
    denied = await http.patch("/organizations/current", headers=auth(secret), json={"name": "x"})
    assert denied.status_code == 403

    assert (
        await http.delete(f"/api-keys/{key_id}", headers=auth(owner["access_token"]))
    ).status_code == 204
    assert (
        await http.post(
            "/api-keys",
            headers=auth(owner["access_token"]),
            json={"name": "admin key", "role": "owner"},
        )
    ).status_code == 201


async def test_the_same_idempotency_key_signs_up_once(http):
    body = {
        "email": f"idem-{uuid.uuid4().hex[:6]}@example.com",
        "password": PASSWORD,
        "organization_name": "Once Only",
    }
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = await http.post("/auth/signup", json=body, headers=key)
    again = await http.post("/auth/signup", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["organization"]["id"] == again.json()["organization"]["id"]
    different = await http.post(
        "/auth/signup", json={**body, "organization_name": "Other"}, headers=key
    )
    assert different.status_code == 422
