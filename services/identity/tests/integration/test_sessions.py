"""Sign-up, sign-in, refresh rotation with reuse detection, and logout, over real gRPC."""

from __future__ import annotations

import grpc
import pytest
from identity_helpers import PASSWORD, bearer, signup

from labs.identity.v1 import identity_service_pb2 as pb
from labs_common.errors import from_rpc_error

pytestmark = pytest.mark.integration


async def test_signup_makes_the_user_owner_of_a_new_organization(stub):
    session = await signup(stub, org="Northwind Studio")
    assert session.role == pb.ROLE_OWNER
    assert session.organization.name == "Northwind Studio"
    assert session.access_token.count(".") == 2
    assert session.refresh_token.startswith("lbr_")
    me = await stub.GetMe(pb.GetMeRequest(), metadata=bearer(session.access_token))
    assert me.user.id == session.user.id and me.organization.id == session.organization.id


async def test_emails_are_case_insensitive(stub):
    session = await signup(stub, email="Mixed.Case@Example.COM")
    assert session.user.email == "mixed.case@example.com"
    login = await stub.Login(pb.LoginRequest(email="MIXED.case@example.com", password=PASSWORD))
    assert login.session.user.id == session.user.id


async def test_a_wrong_password_and_an_unknown_email_answer_alike(stub):
    session = await signup(stub)
    errors = []
    for email, password in (
        (session.user.email, "wrong password!"),
        ("nobody@example.com", PASSWORD),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.Login(pb.LoginRequest(email=email, password=password))
        errors.append((caught.value.code(), caught.value.details()))
    assert errors[0] == errors[1]
    assert errors[0][0] == grpc.StatusCode.UNAUTHENTICATED


async def test_an_email_in_two_organizations_must_choose_one_at_login(stub):
    first = await signup(stub, org="First")
    second = await signup(stub, email=first.user.email, org="Second")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.Login(pb.LoginRequest(email=first.user.email, password=PASSWORD))
    error = from_rpc_error(caught.value)
    assert error.http_status == 422
    assert [f.field for f in error.field_errors] == ["organization_id"]
    chosen = await stub.Login(
        pb.LoginRequest(
            email=first.user.email, password=PASSWORD, organization_id=second.organization.id
        )
    )
    assert chosen.session.organization.id == second.organization.id


async def test_refresh_rotates_and_reuse_revokes_the_whole_family(stub):
    session = await signup(stub)
    rotated = (
        await stub.RefreshSession(pb.RefreshSessionRequest(refresh_token=session.refresh_token))
    ).session
    assert rotated.refresh_token != session.refresh_token

    with pytest.raises(grpc.aio.AioRpcError) as reused:
        await stub.RefreshSession(pb.RefreshSessionRequest(refresh_token=session.refresh_token))
    assert reused.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert from_rpc_error(reused.value).reason == "REFRESH_TOKEN_REUSED"

    # The thief's reuse also kills the legitimate holder's newer token.
    with pytest.raises(grpc.aio.AioRpcError) as revoked:
        await stub.RefreshSession(pb.RefreshSessionRequest(refresh_token=rotated.refresh_token))
    assert revoked.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_logout_revokes_the_session(stub):
    session = await signup(stub)
    await stub.Logout(pb.LogoutRequest(), metadata=bearer(session.access_token))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.RefreshSession(pb.RefreshSessionRequest(refresh_token=session.refresh_token))
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_signup_rejects_a_short_password_naming_the_field(stub):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.Signup(
            pb.SignupRequest(email="short@example.com", password="123", organization_name="Short")
        )
    error = from_rpc_error(caught.value)
    assert error.http_status == 422 and error.field_errors[0].field == "password"


async def test_authenticated_calls_need_a_token(stub):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetMe(pb.GetMeRequest())
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
