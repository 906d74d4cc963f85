"""Identity's account flows end to end (API.md, Identity): logout and password changes end
access tokens at once (at the gateway and at a service called directly), the multi-organization
login's choices, the profile, password reset and invitations by email (read from the test
session's SMTP sink), pending invitations. Each endpoint with a role test and a cross-tenant one."""

from __future__ import annotations

import re
import time
import uuid

import grpc
import pytest
from e2e_helpers import PASSWORD, auth, join_as, sign_up

from labs.projects.v1 import projects_service_pb2, projects_service_pb2_grpc

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "a brand new passphrase"


async def until_status(call, status: int, deadline: float = 10.0):
    """The response of `call()` once it answers `status` (polled until the deadline)."""
    until = time.monotonic() + deadline
    while (response := await call()).status_code != status:
        assert time.monotonic() < until, f"still {response.status_code}: {response.text}"
    return response


def token_in(mail, prefix: str) -> str:
    found = re.search(rf"{prefix}[A-Za-z0-9_-]+", mail.get_content())
    assert found, mail.get_content()
    return found.group(0)


async def list_clients_directly(suite, token: str):
    async with grpc.aio.insecure_channel(suite.address_of("projects")) as channel:
        stub = projects_service_pb2_grpc.ProjectsServiceStub(channel)
        return await stub.ListClients(projects_service_pb2.ListClientsRequest(),
                                      metadata=(("authorization", f"Bearer {token}"),))


async def test_logout_ends_the_access_token_at_the_gateway_and_at_every_service(http, suite):
    owner = await sign_up(http)
    token = owner["access_token"]
    assert (await http.get("/auth/me", headers=auth(token))).status_code == 200
    await list_clients_directly(suite, token)

    assert (await http.post("/auth/logout", headers=auth(token))).status_code == 204
    refused = await until_status(lambda: http.get("/projects", headers=auth(token)), 401)
    assert refused.json()["reason"] == "SESSION_REVOKED"
    until = time.monotonic() + 10
    while True:
        try:
            await list_clients_directly(suite, token)
        except grpc.aio.AioRpcError as error:
            assert error.code() == grpc.StatusCode.UNAUTHENTICATED
            break
        assert time.monotonic() < until, "projects still accepts the logged-out token"


async def test_a_password_change_ends_the_other_sessions_only(http):
    owner = await sign_up(http)
    other = (await http.post("/auth/login", json={"email": owner["user"]["email"],
                                                  "password": PASSWORD})).json()
    wrong = await http.post("/auth/password", headers=auth(owner["access_token"]),
                            json={"current_password": "not it at all", "password": NEW_PASSWORD})
    assert wrong.status_code == 422
    assert [e["field"] for e in wrong.json()["errors"]] == ["current_password"]
    assert (await http.post("/auth/password", json={
        "current_password": PASSWORD, "password": NEW_PASSWORD})).status_code == 401

    changed = await http.post("/auth/password", headers=auth(owner["access_token"]),
                              json={"current_password": PASSWORD, "password": NEW_PASSWORD})
    assert changed.status_code == 204, changed.text
    await until_status(lambda: http.get("/auth/me", headers=auth(other["access_token"])), 401)
    assert (await http.get("/auth/me", headers=auth(owner["access_token"]))).status_code == 200
    assert (await http.post("/auth/login", json={"email": owner["user"]["email"],
                                                 "password": NEW_PASSWORD})).status_code == 200


async def test_a_multi_organization_login_lists_the_organizations(http):
    first = await sign_up(http, org="First Studio")
    email = first["user"]["email"]
    second = await http.post("/auth/signup", json={"email": email, "password": PASSWORD,
                                                   "organization_name": "Second Studio"})
    assert second.status_code == 201
    response = await http.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == ["organization_id"]
    assert problem["organizations"] == [
        {"id": first["organization"]["id"], "name": "First Studio"},
        {"id": second.json()["organization"]["id"], "name": "Second Studio"},
    ]


async def test_the_profile_is_the_callers_own(http):
    owner = await sign_up(http)
    viewer = await join_as(http, owner, "viewer")
    for person in (owner, viewer):  # every role reads and edits its own profile
        me = await http.get("/users/me", headers=auth(person["access_token"]))
        assert me.status_code == 200 and me.json()["id"] == person["user"]["id"]
    assert (await http.get("/users/me")).status_code == 401

    headers = auth(viewer["access_token"])
    etag = (await http.get("/users/me", headers=headers)).headers["etag"]
    updated = await http.patch("/users/me", headers={**headers, "If-Match": etag}, json={
        "first_name": "Vera", "timezone": "Europe/Paris",
        "avatar_url": "https://cdn.example.com/vera.png",
        "notification_preferences": {"budget_burn": {"email": False}}})
    assert updated.status_code == 200, updated.text
    profile = updated.json()
    assert profile["first_name"] == "Vera" and profile["timezone"] == "Europe/Paris"
    assert profile["notification_preferences"]["budget_burn"] == {
        "email": False, "slack": True, "in_app": True}
    stale = await http.patch("/users/me", headers={**headers, "If-Match": etag},
                             json={"last_name": "Late"})
    assert stale.status_code == 412
    bad = await http.patch("/users/me", headers=headers, json={
        "timezone": "Mars/Olympus", "notification_preferences": {"weather": {"email": True}}})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} >= {"notification_preferences.weather"}
    # Another organization's person with the same role sees their own profile, never this one.
    stranger = await sign_up(http)
    mine = await http.get("/users/me", headers=auth(stranger["access_token"]))
    assert mine.json()["id"] == stranger["user"]["id"] and mine.json()["first_name"] != "Vera"


async def test_a_password_reset_by_email(http, smtp_sink):
    owner = await sign_up(http)
    email = owner["user"]["email"]
    unknown = await http.post("/auth/password-reset",
                              json={"email": f"nobody-{uuid.uuid4().hex[:8]}@example.com"})
    known = await http.post("/auth/password-reset", json={"email": email})
    assert unknown.status_code == known.status_code == 202
    assert unknown.content == known.content == b""

    token = token_in(await smtp_sink.wait_for_mail_to(email), "lbp_")
    short = await http.post("/auth/password-reset/confirm",
                            json={"token": token, "password": "short"})
    assert short.status_code == 422
    confirmed = await http.post("/auth/password-reset/confirm",
                                json={"token": token, "password": NEW_PASSWORD})
    assert confirmed.status_code == 204, confirmed.text
    await until_status(lambda: http.get("/auth/me", headers=auth(owner["access_token"])), 401)
    assert (await http.post("/auth/refresh",
                            json={"refresh_token": owner["refresh_token"]})).status_code == 401
    assert (await http.post("/auth/login", json={"email": email,
                                                 "password": NEW_PASSWORD})).status_code == 200
    again = await http.post("/auth/password-reset/confirm",
                            json={"token": token, "password": "yet another passphrase"})
    assert again.status_code == 422 and [e["field"] for e in again.json()["errors"]] == ["token"]


async def test_invitations_are_emailed_listed_and_revoked(http, smtp_sink):
    owner = await sign_up(http, org="Mailing Studio")
    admin = await join_as(http, owner, "admin")
    manager = await join_as(http, owner, "manager")
    email = f"guest-{uuid.uuid4().hex[:8]}@example.com"
    created = await http.post("/organizations/current/invitations",
                              headers=auth(admin["access_token"]),
                              json={"email": email, "role": "member"})
    assert created.status_code == 201
    invitation = created.json()["invitation"]
    mail = await smtp_sink.wait_for_mail_to(email)
    assert token_in(mail, "lbi_") == created.json()["token"]
    assert "Mailing Studio" in mail["Subject"]

    path = "/organizations/current/invitations"
    listed = await http.get(path, headers=auth(owner["access_token"]))
    assert listed.status_code == 200
    assert invitation["id"] in [i["id"] for i in listed.json()["invitations"]]
    assert "token" not in listed.json()["invitations"][0]
    # Below admin: neither list nor revoke.
    assert (await http.get(path, headers=auth(manager["access_token"]))).status_code == 403
    assert (await http.delete(f"{path}/{invitation['id']}",
                              headers=auth(manager["access_token"]))).status_code == 403
    # Another organization's admin: that invitation does not exist for them.
    stranger = await sign_up(http)
    assert (await http.delete(f"{path}/{invitation['id']}",
                              headers=auth(stranger["access_token"]))).status_code == 404
    assert invitation["id"] not in [i["id"] for i in (
        await http.get(path, headers=auth(stranger["access_token"]))).json()["invitations"]]

    assert (await http.delete(f"{path}/{invitation['id']}",
                              headers=auth(admin["access_token"]))).status_code == 204
    assert invitation["id"] not in [
        i["id"] for i in (await http.get(path, headers=auth(owner["access_token"]))).json()[
            "invitations"]]
    refused = await http.post("/auth/accept-invitation",
                              json={"token": created.json()["token"], "password": PASSWORD})
    assert refused.status_code == 401 and refused.json()["reason"] == "INVITATION_REVOKED"
    assert (await http.delete(f"{path}/{invitation['id']}",
                              headers=auth(admin["access_token"]))).status_code == 404
