"""The caller's own profile: names, time zone, avatar and notification preferences."""

from __future__ import annotations

from fastapi import APIRouter, Response

from labs.identity.v1 import identity_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_gateway.dependencies import IdempotentWrite, Identity, IfMatch
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.etags import if_match_etags, set_etag
from labs_gateway.schemas.identity import ProfilePublic, ProfileUpdate
from labs_gateway.schemas.proto_json import to_message
from labs_gateway.schemas.public import public

router = APIRouter(prefix="/users", tags=["users"], responses=PROBLEM_RESPONSES,
                   route_class=ExactJsonRoute)


@router.get("/me", response_model=ProfilePublic)
async def get_profile(identity: Identity, response: Response):
    """The caller's profile; `notification_preferences` lists every alert type and channel."""
    found = await identity.GetProfile(pb.GetProfileRequest())
    set_etag(response, found.profile.etag)
    return public(found.profile)


@router.patch("/me", response_model=ProfilePublic,
              responses={412: PROBLEM_RESPONSES[422] | {"description": "If-Match failed"}},
              dependencies=[IdempotentWrite])
async def update_profile(body: ProfileUpdate, identity: Identity, response: Response,
                         if_match: IfMatch = None):
    """Change the given fields; notification preferences change per alert type and channel."""
    fields = sorted(body.model_fields_set)
    if not fields:
        raise InvalidArgument.on("body", "Give at least one of first_name, last_name, timezone, "
                                         "avatar_url, notification_preferences.")
    updated = await identity.UpdateProfile(to_message(pb.UpdateProfileRequest, {
        "profile": body.model_dump(include=set(fields), exclude_unset=True),
        "update_mask": fields, "if_match_etags": if_match_etags(if_match)}))
    set_etag(response, updated.profile.etag)
    return public(updated.profile)
