"""Another tenant's objects answer 404; bad input answers 4xx naming the field, never 500."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from e2e_helpers import auth, join_as, sign_up

pytestmark = pytest.mark.e2e


async def test_another_organizations_members_and_keys_are_not_found(http):
    ours = await sign_up(http)
    theirs = await sign_up(http)
    their_member = await join_as(http, theirs, "member")
    their_key = (
        await http.post(
            "/api-keys",
            headers=auth(theirs["access_token"]),
            json={"name": "theirs", "role": "viewer"},
        )
    ).json()
    member_path = f"/organizations/current/members/{their_member['user']['id']}"
    attempts = [
        await http.patch(member_path, headers=auth(ours["access_token"]), json={"role": "viewer"}),
        await http.delete(member_path, headers=auth(ours["access_token"])),
        await http.delete(
            f"/api-keys/{their_key['api_key']['id']}", headers=auth(ours["access_token"])
        ),
    ]
    assert [a.status_code for a in attempts] == [404, 404, 404]
    members = (
        await http.get("/organizations/current/members", headers=auth(ours["access_token"]))
    ).json()["members"]
    assert [m["user"]["id"] for m in members] == [ours["user"]["id"]]
    # Nothing of theirs changed.
    theirs_now = (
        await http.get("/organizations/current/members", headers=auth(theirs["access_token"]))
    ).json()["members"]
    assert {m["user"]["id"]: m["role"] for m in theirs_now}[their_member["user"]["id"]] == "member"


async def test_malformed_json_wrong_types_and_missing_fields_name_the_field(http):
    malformed = await http.post(
        "/auth/signup", content=b'{"email": ', headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code in (400, 422)
    assert malformed.headers["content-type"].startswith("application/problem+json")

    wrong = await http.post(
        "/auth/signup", json={"email": 42, "password": ["x"], "organization_name": "T"}
    )
    assert wrong.status_code == 422
    fields = {error["field"] for error in wrong.json()["errors"]}
    assert {"email", "password"} <= fields

    short = await http.post(
        "/auth/signup",
        json={"email": "a@example.com", "password": "short", "organization_name": "T"},
    )
    assert short.status_code == 422
    assert [e["field"] for e in short.json()["errors"]] == ["password"]


async def test_a_huge_body_is_refused_with_413(http):
    huge = b'{"email": "' + b"a" * (3 * 1024 * 1024) + b'"}'
    response = await http.post(
        "/auth/login", content=huge, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


def _b64(part: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")


async def test_forged_and_missing_tokens_get_401(http):
    owner = await sign_up(http)
    header, claims, _ = owner["access_token"].split(".")
    elevated = json.loads(base64.urlsafe_b64decode(claims + "=="))
    elevated["org"] = str(uuid.uuid4())
    forgeries = [
        f"{_b64({'alg': 'none', 'typ': 'at+jwt'})}.{_b64(elevated)}.",
        f"{header}.{_b64(elevated)}.{owner['access_token'].split('.')[2]}",
        "lbk_not-a-real-key",
        "garbage",
    ]
    for token in forgeries:
        response = await http.get("/auth/me", headers=auth(token))
        assert response.status_code == 401, token
    assert (await http.get("/auth/me")).status_code == 401


async def test_unknown_ids_and_routes_answer_404_not_500(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    assert (await http.delete(f"/api-keys/{uuid.uuid4()}", headers=headers)).status_code == 404
    not_uuid = await http.delete("/api-keys/not-a-uuid", headers=headers)
    assert not_uuid.status_code in (404, 422)
    assert (await http.get("/no/such/route", headers=headers)).status_code == 404
