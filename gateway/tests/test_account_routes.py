"""The caller's account routes (profile, passwords, invitations), the multi-organization login's
choices, and tokens of revoked sessions refused as soon as the event arrives."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import nats
import pytest
from google.protobuf import struct_pb2, timestamp_pb2

from labs.events.v1 import envelope_pb2
from labs.identity.v1 import events_pb2, identity_service_pb2_grpc
from labs.identity.v1 import identity_service_pb2 as pb
from labs_common.errors import FieldError, InvalidArgument, to_status
from labs_common.events.streams import ensure_stream

ORG_ID = str(uuid.uuid4())
CHOICES = [{"id": str(uuid.uuid4()), "name": "First"}, {"id": str(uuid.uuid4()), "name": "Second"}]


def _preferences() -> struct_pb2.Struct:
    matrix = struct_pb2.Struct()
    matrix.update({kind: {"email": True, "slack": False, "in_app": True} for kind in (
        "margin_threshold", "over_allocation", "risk_score", "budget_burn", "invoice_overdue")})
    return matrix


class FakeIdentity(identity_service_pb2_grpc.IdentityServiceServicer):
    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []
        self.profile = pb.Profile(
            id=str(uuid.uuid4()), email="ada@agency.test", first_name="Ada", timezone="",
            notification_preferences=_preferences(), etag="p1",
            updated_at=timestamp_pb2.Timestamp(seconds=1_700_000_000))

    def calls_to(self, method: str) -> list:
        return [request for name, request in self.calls if name == method]

    async def Login(self, request, context):
        self.calls.append(("Login", request))
        await context.abort_with_status(to_status(InvalidArgument(
            "This account belongs to several organizations: choose one.",
            reason="ORGANIZATION_REQUIRED",
            field_errors=[FieldError("organization_id", "is required for this account")],
            metadata={"organizations": json.dumps(CHOICES)})))

    async def RequestPasswordReset(self, request, context):
        self.calls.append(("RequestPasswordReset", request))
        return pb.RequestPasswordResetResponse()

    async def ChangePassword(self, request, context):
        self.calls.append(("ChangePassword", request))
        return pb.ChangePasswordResponse()

    async def GetProfile(self, request, context):
        self.calls.append(("GetProfile", request))
        return pb.GetProfileResponse(profile=self.profile)

    async def UpdateProfile(self, request, context):
        self.calls.append(("UpdateProfile", request))
        return pb.UpdateProfileResponse(profile=self.profile)

    async def ListInvitations(self, request, context):
        self.calls.append(("ListInvitations", request))
        invitation = pb.Invitation(id=str(uuid.uuid4()), email="guest@agency.test",
                                   role=pb.ROLE_MEMBER, invited_by=self.profile.id)
        return pb.ListInvitationsResponse(invitations=[invitation])

    async def RevokeInvitation(self, request, context):
        self.calls.append(("RevokeInvitation", request))
        return pb.RevokeInvitationResponse()


@pytest.fixture
async def identity(serve_identity) -> FakeIdentity:
    fake = FakeIdentity()
    fake.address = await serve_identity(fake)
    return fake


@pytest.fixture
def gateway(make_client, identity):
    return make_client(identity_addr=identity.address)


@pytest.fixture
def headers(issue_token) -> dict[str, str]:
    return {"authorization": f"Bearer {issue_token(uuid.UUID(ORG_ID), 'member')}"}


async def test_a_multi_organization_login_lists_the_organizations_beside_the_error(gateway):
    response = await gateway.post("/api/v1/auth/login",
                                  json={"email": "ada@agency.test", "password": "secret!"})
    assert response.status_code == 422
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == ["organization_id"]
    assert problem["organizations"] == CHOICES


async def test_a_password_reset_request_is_always_202_without_a_body(gateway, identity):
    response = await gateway.post("/api/v1/auth/password-reset",
                                  json={"email": "who@agency.test"})
    assert response.status_code == 202 and response.content == b""
    assert identity.calls_to("RequestPasswordReset")[0].email == "who@agency.test"


async def test_a_password_change_needs_a_caller_and_forwards_both_passwords(gateway, identity,
                                                                            headers):
    body = {"current_password": "old password!", "password": "a new long password"}
    assert (await gateway.post("/api/v1/auth/password", json=body)).status_code == 401
    response = await gateway.post("/api/v1/auth/password", json=body, headers=headers)
    assert response.status_code == 204
    (sent,) = identity.calls_to("ChangePassword")
    assert (sent.current_password, sent.new_password) == ("old password!", "a new long password")


async def test_the_profile_reads_with_every_alert_type_and_its_etag(gateway, headers):
    response = await gateway.get("/api/v1/users/me", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"p1"'
    profile = response.json()
    assert profile["notification_preferences"]["budget_burn"] == {
        "email": True, "slack": False, "in_app": True}


async def test_a_profile_update_names_every_unknown_preference_and_calls_nothing(
        gateway, identity, headers):
    response = await gateway.patch("/api/v1/users/me", headers=headers, json={
        "notification_preferences": {"weather": {"email": True},
                                     "budget_burn": {"pigeon": True, "slack": "yes"}},
        "nickname": "ada"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {
        "notification_preferences.weather", "notification_preferences.budget_burn.pigeon",
        "notification_preferences.budget_burn.slack", "nickname"}
    assert identity.calls_to("UpdateProfile") == []


async def test_a_profile_update_sends_only_what_was_given(gateway, identity, headers):
    response = await gateway.patch(
        "/api/v1/users/me", headers={**headers, "If-Match": '"p1"'},
        json={"timezone": "Europe/Paris",
              "notification_preferences": {"budget_burn": {"email": False}}})
    assert response.status_code == 200, response.text
    (sent,) = identity.calls_to("UpdateProfile")
    assert sorted(sent.update_mask.paths) == ["notification_preferences", "timezone"]
    assert dict(sent.profile.notification_preferences["budget_burn"]) == {"email": False}
    assert list(sent.if_match_etags) == ["p1"]


async def test_pending_invitations_list_and_revoke(gateway, identity, headers):
    listed = await gateway.get("/api/v1/organizations/current/invitations", headers=headers)
    assert listed.status_code == 200 and listed.json()["next_cursor"] is None
    assert [i["email"] for i in listed.json()["invitations"]] == ["guest@agency.test"]
    invitation_id = listed.json()["invitations"][0]["id"]
    revoked = await gateway.delete(f"/api/v1/organizations/current/invitations/{invitation_id}",
                                   headers=headers)
    assert revoked.status_code == 204
    assert identity.calls_to("RevokeInvitation")[0].id == invitation_id


async def test_a_revoked_sessions_token_is_refused_once_the_event_arrives(
        start_gateway, serve_identity, issue_token, nats_url):
    fake = FakeIdentity()
    gateway = await start_gateway(identity_addr=await serve_identity(fake))
    session_id, kept = uuid.uuid4(), uuid.uuid4()
    token = issue_token(uuid.UUID(ORG_ID), "member", sid=str(session_id))
    other = issue_token(uuid.UUID(ORG_ID), "member", sid=str(kept))

    connection = await nats.connect(nats_url)
    js = connection.jetstream()
    await ensure_stream(js, "identity")
    payload = events_pb2.SessionRevoked(user_id=str(uuid.uuid4()), session_id=str(session_id),
                                        reason="logout")
    payload.access_expires_at.GetCurrentTime()
    payload.access_expires_at.seconds += 900
    envelope = envelope_pb2.Envelope(id=str(uuid.uuid4()), type="session.revoked",
                                     source="identity", org_id=ORG_ID)
    envelope.payload.Pack(payload)
    async with httpx.AsyncClient(base_url=gateway.base_url) as http:
        assert (await http.get("/api/v1/users/me", headers=_bearer(token))).status_code == 200
        await js.publish(f"labs.identity.v1.{ORG_ID}.session.revoked",
                         envelope.SerializeToString())
        deadline = time.monotonic() + 10
        while (answer := await http.get("/api/v1/users/me", headers=_bearer(token))).status_code \
                != 401:
            assert time.monotonic() < deadline, "the revoked session's token still works"
        assert answer.json()["reason"] == "SESSION_REVOKED"
        assert (await http.get("/api/v1/users/me", headers=_bearer(other))).status_code == 200
    await connection.drain()


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}
