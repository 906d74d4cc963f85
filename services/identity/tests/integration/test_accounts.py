"""Ending sessions at once, the profile, password change and reset by email, pending invitations:
identity over real gRPC, PostgreSQL, NATS and an SMTP sink."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid

import grpc
import pytest
from google.protobuf import field_mask_pb2
from identity_helpers import PASSWORD, bearer, signup

from labs.identity.v1 import identity_service_pb2 as pb
from labs_common.errors import from_rpc_error

pytestmark = pytest.mark.integration

NEW_PASSWORD = "another long passphrase"


async def refused(call, deadline: float = 10.0) -> grpc.aio.AioRpcError:
    """The error `call()` fails with once it fails (polled until the deadline)."""
    until = time.monotonic() + deadline
    while True:
        try:
            await call()
        except grpc.aio.AioRpcError as error:
            return error
        assert time.monotonic() < until, "still accepted at the deadline"


def token_in(message, prefix: str) -> str:
    found = re.search(rf"{prefix}[A-Za-z0-9_-]+", message.get_content())
    assert found, message.get_content()
    return found.group(0)


async def test_logout_ends_the_access_token_at_once(stub):
    session = await signup(stub)
    me = lambda: stub.GetMe(pb.GetMeRequest(), metadata=bearer(session.access_token))  # noqa: E731
    await me()
    await stub.Logout(pb.LogoutRequest(), metadata=bearer(session.access_token))
    error = await refused(me)
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    assert from_rpc_error(error).reason == "SESSION_REVOKED"


async def test_a_password_change_ends_every_other_session(stub):
    first = await signup(stub)
    other = (await stub.Login(pb.LoginRequest(email=first.user.email, password=PASSWORD))).session
    wrong = stub.ChangePassword(
        pb.ChangePasswordRequest(current_password="not my password", new_password="short"),
        metadata=bearer(first.access_token))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await wrong
    assert sorted(f.field for f in from_rpc_error(caught.value).field_errors) == [
        "current_password", "password"]

    await stub.ChangePassword(
        pb.ChangePasswordRequest(current_password=PASSWORD, new_password=NEW_PASSWORD),
        metadata=bearer(first.access_token))
    error = await refused(lambda: stub.GetMe(pb.GetMeRequest(),
                                             metadata=bearer(other.access_token)))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    await stub.GetMe(pb.GetMeRequest(), metadata=bearer(first.access_token))  # this one goes on
    with pytest.raises(grpc.aio.AioRpcError):
        await stub.RefreshSession(pb.RefreshSessionRequest(refresh_token=other.refresh_token))
    with pytest.raises(grpc.aio.AioRpcError):
        await stub.Login(pb.LoginRequest(email=first.user.email, password=PASSWORD))
    await stub.Login(pb.LoginRequest(email=first.user.email, password=NEW_PASSWORD))


async def test_a_password_reset_by_email_is_single_use_and_ends_every_session(stub, smtp_sink):
    session = await signup(stub)
    email = session.user.email
    await stub.RequestPasswordReset(pb.RequestPasswordResetRequest(email=email.upper()))
    mail = await smtp_sink.wait_for_mail_to(email)
    token = token_in(mail, "lbp_")
    assert mail["Subject"] == "Reset your Labs password"

    await stub.ResetPassword(pb.ResetPasswordRequest(token=token, password=NEW_PASSWORD))
    error = await refused(lambda: stub.GetMe(pb.GetMeRequest(),
                                             metadata=bearer(session.access_token)))
    assert from_rpc_error(error).reason == "SESSION_REVOKED"
    await stub.Login(pb.LoginRequest(email=email, password=NEW_PASSWORD))
    with pytest.raises(grpc.aio.AioRpcError) as again:
        await stub.ResetPassword(pb.ResetPasswordRequest(token=token, password="yet another one"))
    assert [f.field for f in from_rpc_error(again.value).field_errors] == ["token"]


async def test_an_unknown_email_gets_the_same_answer_and_no_mail(stub, smtp_sink):
    nobody = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    answer = await stub.RequestPasswordReset(pb.RequestPasswordResetRequest(email=nobody))
    assert answer == pb.RequestPasswordResetResponse()
    assert smtp_sink.to(nobody) == []


async def test_mail_waits_while_smtp_refuses_and_is_sent_once(stub, smtp_sink):
    session = await signup(stub)
    smtp_sink.refusing = True
    try:
        before = smtp_sink.refused
        await stub.RequestPasswordReset(pb.RequestPasswordResetRequest(email=session.user.email))
        until = time.monotonic() + 10
        while smtp_sink.refused == before:
            assert time.monotonic() < until, "the mailer never tried"
            await _tick()
    finally:
        smtp_sink.refusing = False
    mail = await smtp_sink.wait_for_mail_to(session.user.email, timeout=30)
    await _tick(1.0)
    assert [m["Message-ID"] for m in smtp_sink.to(session.user.email)] == [mail["Message-ID"]]


async def test_invitations_are_emailed_listed_and_revocable(stub, smtp_sink):
    owner = await signup(stub, org="Inviting Co")
    email = f"guest-{uuid.uuid4().hex[:8]}@example.com"
    created = await stub.CreateInvitation(
        pb.CreateInvitationRequest(email=email, role=pb.ROLE_MEMBER),
        metadata=bearer(owner.access_token))
    mail = await smtp_sink.wait_for_mail_to(email)
    assert token_in(mail, "lbi_") == created.token and "Inviting Co" in mail["Subject"]

    listed = await stub.ListInvitations(pb.ListInvitationsRequest(),
                                        metadata=bearer(owner.access_token))
    assert [i.id for i in listed.invitations] == [created.invitation.id]

    stranger = await signup(stub)
    with pytest.raises(grpc.aio.AioRpcError) as elsewhere:
        await stub.RevokeInvitation(pb.RevokeInvitationRequest(id=created.invitation.id),
                                    metadata=bearer(stranger.access_token))
    assert elsewhere.value.code() == grpc.StatusCode.NOT_FOUND

    await stub.RevokeInvitation(pb.RevokeInvitationRequest(id=created.invitation.id),
                                metadata=bearer(owner.access_token))
    assert not (await stub.ListInvitations(pb.ListInvitationsRequest(),
                                           metadata=bearer(owner.access_token))).invitations
    with pytest.raises(grpc.aio.AioRpcError) as revoked:
        await stub.AcceptInvitation(pb.AcceptInvitationRequest(token=created.token,
                                                               password=PASSWORD))
    assert from_rpc_error(revoked.value).reason == "INVITATION_REVOKED"


async def test_the_profile_reads_and_updates_with_notification_preferences(stub):
    session = await signup(stub)
    auth = bearer(session.access_token)
    profile = (await stub.GetProfile(pb.GetProfileRequest(), metadata=auth)).profile
    assert profile.first_name == "Olive" and profile.timezone == ""
    assert profile.notification_preferences["budget_burn"]["email"] is True

    change = pb.Profile(timezone="Europe/Paris", avatar_url="https://cdn.example.com/a.png")
    change.notification_preferences.update({"budget_burn": {"email": False}})
    updated = (await stub.UpdateProfile(pb.UpdateProfileRequest(
        profile=change, if_match_etags=[profile.etag],
        update_mask=field_mask_pb2.FieldMask(
            paths=["timezone", "avatar_url", "notification_preferences"])),
        metadata=auth)).profile
    assert updated.timezone == "Europe/Paris" and updated.etag != profile.etag
    assert updated.notification_preferences["budget_burn"]["email"] is False
    assert updated.notification_preferences["budget_burn"]["in_app"] is True

    bad = pb.Profile(timezone="Mars/Olympus")
    bad.notification_preferences.update({"budget_burn": {"pigeon": True}, "weather": {}})
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.UpdateProfile(pb.UpdateProfileRequest(
            profile=bad, update_mask=field_mask_pb2.FieldMask(
                paths=["timezone", "notification_preferences"])), metadata=auth)
    assert sorted(f.field for f in from_rpc_error(caught.value).field_errors) == [
        "notification_preferences.budget_burn.pigeon", "notification_preferences.weather",
        "timezone"]


async def test_a_multi_organization_login_lists_the_organizations(stub):
    first = await signup(stub, org="First Org")
    second = await signup(stub, email=first.user.email, org="Second Org")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.Login(pb.LoginRequest(email=first.user.email, password=PASSWORD))
    error = from_rpc_error(caught.value)
    assert json.loads(error.metadata["organizations"]) == [
        {"id": first.organization.id, "name": "First Org"},
        {"id": second.organization.id, "name": "Second Org"},
    ]


async def _tick(seconds: float = 0.05) -> None:
    await asyncio.sleep(seconds)
