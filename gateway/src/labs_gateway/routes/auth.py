"""Sessions: signup, login, refresh, logout, the caller, joining by invitation, and passwords
(changing one, resetting a forgotten one by email)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from labs.identity.v1 import identity_service_pb2 as pb
from labs_gateway.dependencies import AsCaller, IdempotentWrite, Identity, PublicWrite
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.schemas.identity import (
    InvitationAccept,
    LoginCreate,
    MePublic,
    PasswordChange,
    PasswordResetConfirm,
    PasswordResetCreate,
    RefreshCreate,
    SessionPublic,
    SignupCreate,
)
from labs_gateway.schemas.proto_json import to_message, to_public
from labs_gateway.schemas.public import current_reader

router = APIRouter(prefix="/auth", tags=["auth"], responses=PROBLEM_RESPONSES,
                   route_class=ExactJsonRoute)
# identity slows down failed logins per client address as well as per account; the address is the
# client's as the gateway sees it (uvicorn believes X-Forwarded-For only from forwarded_allow_ips).
CLIENT_ADDRESS_METADATA = "client-address"


@router.post("/signup", status_code=status.HTTP_201_CREATED, response_model=SessionPublic,
             dependencies=[PublicWrite])
async def signup(body: SignupCreate, identity: Identity):
    """Create an organization and its owner; answers with the owner's session."""
    response = await identity.Signup(to_message(pb.SignupRequest, body.model_dump()))
    return to_public(SessionPublic, response.session)


@router.post("/login", response_model=SessionPublic, dependencies=[PublicWrite])
async def login(request: Request, body: LoginCreate, identity: Identity):
    """Exchange email and password for a new session."""
    address = request.client.host if request.client else ""
    response = await identity.Login(to_message(pb.LoginRequest, body.model_dump()),
                                    metadata=((CLIENT_ADDRESS_METADATA, address),))
    return to_public(SessionPublic, response.session)


@router.post("/refresh", response_model=SessionPublic, dependencies=[PublicWrite])
async def refresh(body: RefreshCreate, identity: Identity):
    """Spend a refresh token for a new pair; a spent token revokes its whole family (401)."""
    response = await identity.RefreshSession(
        to_message(pb.RefreshSessionRequest, body.model_dump()))
    return to_public(SessionPublic, response.session)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
             dependencies=[IdempotentWrite])
async def logout(identity: Identity) -> Response:
    """Revoke the caller's session (its refresh-token family)."""
    await identity.Logout(pb.LogoutRequest())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=MePublic, dependencies=[AsCaller])
async def me(identity: Identity):
    """The caller, its organization and role."""
    return to_public(MePublic, await identity.GetMe(pb.GetMeRequest()), current_reader())


@router.post("/accept-invitation", response_model=SessionPublic, dependencies=[PublicWrite])
async def accept_invitation(body: InvitationAccept, identity: Identity):
    """Redeem an invitation token: join its organization and get a session, like login."""
    response = await identity.AcceptInvitation(
        to_message(pb.AcceptInvitationRequest, body.model_dump()))
    return to_public(SessionPublic, response.session)


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
             dependencies=[IdempotentWrite])
async def change_password(body: PasswordChange, identity: Identity) -> Response:
    """Change the caller's password; every other session of theirs ends at once."""
    await identity.ChangePassword(pb.ChangePasswordRequest(
        current_password=body.current_password, new_password=body.password))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/password-reset", status_code=status.HTTP_202_ACCEPTED, response_class=Response,
             responses={202: {"description": "Accepted, whether or not the email has an account"}},
             dependencies=[PublicWrite])
async def request_password_reset(body: PasswordResetCreate, identity: Identity) -> Response:
    """Email a single-use reset token (valid 1 hour) to the accounts of this email, if any."""
    await identity.RequestPasswordReset(pb.RequestPasswordResetRequest(email=body.email))
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post("/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT,
             response_class=Response, dependencies=[PublicWrite])
async def confirm_password_reset(body: PasswordResetConfirm, identity: Identity) -> Response:
    """Set a new password with the emailed token; every session of the account ends."""
    await identity.ResetPassword(to_message(pb.ResetPasswordRequest, body.model_dump()))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
