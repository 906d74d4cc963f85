"""Sessions: signup, login, refresh, logout, the caller, and joining by invitation."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from labs.identity.v1 import identity_service_pb2 as pb
from labs_gateway.dependencies import AsCaller, IdempotentWrite, Identity, PublicWrite
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.schemas.identity import (
    InvitationAccept,
    LoginCreate,
    MePublic,
    RefreshCreate,
    SessionPublic,
    SignupCreate,
)
from labs_gateway.schemas.proto_json import to_message, to_public
from labs_gateway.schemas.public import current_reader

router = APIRouter(prefix="/auth", tags=["auth"], responses=PROBLEM_RESPONSES,
                   route_class=ExactJsonRoute)


@router.post("/signup", status_code=status.HTTP_201_CREATED, response_model=SessionPublic,
             dependencies=[PublicWrite])
async def signup(body: SignupCreate, identity: Identity):
    """Create an organization and its owner; answers with the owner's session."""
    response = await identity.Signup(to_message(pb.SignupRequest, body.model_dump()))
    return to_public(SessionPublic, response.session)


@router.post("/login", response_model=SessionPublic, dependencies=[PublicWrite])
async def login(body: LoginCreate, identity: Identity):
    """Exchange email and password for a new session."""
    response = await identity.Login(to_message(pb.LoginRequest, body.model_dump()))
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
