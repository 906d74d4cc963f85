"""Sessions: signup, login, refresh, logout, the caller, and joining by invitation."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from labs.identity.v1 import identity_service_pb2 as pb
from labs_gateway.dependencies import AsCaller, IdempotentWrite, Identity, PublicWrite
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.schemas.identity import (
    InvitationAccept,
    LoginCreate,
    MePublic,
    RefreshCreate,
    SessionPublic,
    SignupCreate,
)
from labs_gateway.schemas.identity_mapping import me_public, session_public

router = APIRouter(prefix="/auth", tags=["auth"], responses=PROBLEM_RESPONSES)


@router.post("/signup", status_code=status.HTTP_201_CREATED, response_model=SessionPublic,
             dependencies=[PublicWrite])
async def signup(body: SignupCreate, identity: Identity):
    """Create an organization and its owner; answers with the owner's session."""
    response = await identity.Signup(pb.SignupRequest(
        email=body.email, password=body.password, organization_name=body.organization_name,
        first_name=body.first_name, last_name=body.last_name,
    ))
    return session_public(response.session)


@router.post("/login", response_model=SessionPublic, dependencies=[PublicWrite])
async def login(body: LoginCreate, identity: Identity):
    """Exchange email and password for a new session."""
    response = await identity.Login(pb.LoginRequest(
        email=body.email, password=body.password, organization_id=body.organization_id or "",
    ))
    return session_public(response.session)


@router.post("/refresh", response_model=SessionPublic, dependencies=[PublicWrite])
async def refresh(body: RefreshCreate, identity: Identity):
    """Spend a refresh token for a new pair; a spent token revokes its whole family (401)."""
    response = await identity.RefreshSession(
        pb.RefreshSessionRequest(refresh_token=body.refresh_token))
    return session_public(response.session)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
             dependencies=[IdempotentWrite])
async def logout(identity: Identity) -> Response:
    """Revoke the caller's session (its refresh-token family)."""
    await identity.Logout(pb.LogoutRequest())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=MePublic, dependencies=[AsCaller])
async def me(identity: Identity):
    """The caller, its organization and role."""
    return me_public(await identity.GetMe(pb.GetMeRequest()))


@router.post("/accept-invitation", response_model=SessionPublic, dependencies=[PublicWrite])
async def accept_invitation(body: InvitationAccept, identity: Identity):
    """Redeem an invitation token: join its organization and get a session, like login."""
    response = await identity.AcceptInvitation(pb.AcceptInvitationRequest(
        token=body.token, password=body.password,
        first_name=body.first_name, last_name=body.last_name,
    ))
    return session_public(response.session)
