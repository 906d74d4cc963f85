"""The caller's organization: read and update it, invite people into it (and list and revoke
the invitations still pending)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from labs.identity.v1 import identity_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_gateway.dependencies import IdempotentWrite, Identity, IfMatch
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.etags import if_match_etags, set_etag
from labs_gateway.routes.members import Cursor, Limit
from labs_gateway.schemas.identity import (
    InvitationCreate,
    InvitationCreated,
    InvitationList,
    OrganizationPublic,
    OrganizationUpdate,
)
from labs_gateway.schemas.proto_json import to_message, to_public
from labs_gateway.schemas.public import current_reader, public

router = APIRouter(prefix="/organizations", tags=["organizations"],
                   responses=PROBLEM_RESPONSES, route_class=ExactJsonRoute)


@router.get("/current", response_model=OrganizationPublic)
async def get_organization(identity: Identity, response: Response):
    """The caller's organization; the ETag goes back in If-Match on PATCH."""
    found = await identity.GetOrganization(pb.GetOrganizationRequest())
    set_etag(response, found.organization.etag)
    return public(found.organization)


@router.patch("/current", response_model=OrganizationPublic,
              responses={412: PROBLEM_RESPONSES[422] | {"description": "If-Match failed"}},
             dependencies=[IdempotentWrite])
async def update_organization(body: OrganizationUpdate, identity: Identity, response: Response,
                              if_match: IfMatch = None):
    """Change the given fields (name, settings, timezone, currency). Admin or owner."""
    fields = sorted(body.model_fields_set)
    if not fields:
        raise InvalidArgument.on("body", "Give at least one of name, settings, timezone, currency.")
    updated = await identity.UpdateOrganization(to_message(pb.UpdateOrganizationRequest, {
        "organization": body.model_dump(include=set(fields)), "update_mask": fields,
        "if_match_etags": if_match_etags(if_match)}))
    set_etag(response, updated.organization.etag)
    return public(updated.organization)


@router.post("/current/invitations", status_code=status.HTTP_201_CREATED,
             response_model=InvitationCreated, dependencies=[IdempotentWrite])
async def create_invitation(body: InvitationCreate, identity: Identity):
    """Invite an email with a role; the token is shown once. Admin or owner."""
    created = await identity.CreateInvitation(
        to_message(pb.CreateInvitationRequest, body.model_dump()))
    return to_public(InvitationCreated, created, current_reader())



@router.get("/current/invitations", response_model=InvitationList)
async def list_invitations(identity: Identity, limit: Limit = 50, cursor: Cursor = None):
    """Pending invitations (not accepted, revoked or expired), oldest first. Admin or owner."""
    page = await identity.ListInvitations(to_message(
        pb.ListInvitationsRequest, {"page_size": limit, "page_token": cursor}))
    return InvitationList(invitations=[public(i) for i in page.invitations],
                          next_cursor=page.next_page_token or None)


@router.delete("/current/invitations/{id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, dependencies=[IdempotentWrite])
async def revoke_invitation(invitation_id: Annotated[uuid.UUID, Path(alias="id")],
                            identity: Identity) -> Response:
    """Revoke a pending invitation: its token can no longer be accepted. Admin or owner."""
    await identity.RevokeInvitation(pb.RevokeInvitationRequest(id=str(invitation_id)))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
