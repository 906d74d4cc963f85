"""The caller's organization: read and update it, invite people into it."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from google.protobuf import field_mask_pb2, struct_pb2

from labs.identity.v1 import identity_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_gateway.dependencies import IdempotentWrite, Identity, IfMatch
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.etags import if_match_etags, set_etag
from labs_gateway.schemas.identity import (
    InvitationCreate,
    InvitationCreated,
    OrganizationPublic,
    OrganizationUpdate,
)
from labs_gateway.schemas.identity_mapping import (
    invitation_public,
    organization_public,
    role_to_proto,
)

router = APIRouter(prefix="/organizations", tags=["organizations"], responses=PROBLEM_RESPONSES)


@router.get("/current", response_model=OrganizationPublic)
async def get_organization(identity: Identity, response: Response):
    """The caller's organization; the ETag goes back in If-Match on PATCH."""
    found = await identity.GetOrganization(pb.GetOrganizationRequest())
    set_etag(response, found.organization.etag)
    return organization_public(found.organization)


@router.patch("/current", response_model=OrganizationPublic,
              responses={412: PROBLEM_RESPONSES[422] | {"description": "If-Match failed"}},
             dependencies=[IdempotentWrite])
async def update_organization(body: OrganizationUpdate, identity: Identity, response: Response,
                              if_match: IfMatch = None):
    """Change the given fields (name, settings, timezone, currency). Admin or owner."""
    fields = sorted(body.model_fields_set)
    if not fields:
        raise InvalidArgument.on("body", "Give at least one of name, settings, timezone, currency.")
    changes = pb.Organization(name=body.name or "", timezone=body.timezone or "",
                              currency=body.currency or "")
    if body.settings is not None:
        changes.settings.CopyFrom(_struct(body.settings))
    updated = await identity.UpdateOrganization(pb.UpdateOrganizationRequest(
        organization=changes, update_mask=field_mask_pb2.FieldMask(paths=fields),
        if_match_etags=if_match_etags(if_match),
    ))
    set_etag(response, updated.organization.etag)
    return organization_public(updated.organization)


@router.post("/current/invitations", status_code=status.HTTP_201_CREATED,
             response_model=InvitationCreated, dependencies=[IdempotentWrite])
async def create_invitation(body: InvitationCreate, identity: Identity):
    """Invite an email with a role; the token is shown once. Admin or owner."""
    created = await identity.CreateInvitation(pb.CreateInvitationRequest(
        email=body.email, role=role_to_proto(body.role), client_id=body.client_id or "",
    ))
    return InvitationCreated(invitation=invitation_public(created.invitation), token=created.token)


def _struct(values: dict) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    try:
        struct.update(values)
    except (TypeError, ValueError) as error:
        raise InvalidArgument.on("settings", f"Not representable as JSON: {error}") from error
    return struct
