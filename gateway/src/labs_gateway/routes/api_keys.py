"""API keys of the caller's organization: create (secret shown once), list, revoke."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from labs.identity.v1 import identity_service_pb2 as pb
from labs_gateway.dependencies import IdempotentWrite, Identity
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.members import Cursor, Limit
from labs_gateway.schemas.identity import ApiKeyCreate, ApiKeyCreated, ApiKeyList
from labs_gateway.schemas.proto_json import to_message, to_public
from labs_gateway.schemas.public import current_reader, public

router = APIRouter(prefix="/api-keys", tags=["api-keys"], responses=PROBLEM_RESPONSES,
                   route_class=ExactJsonRoute)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated,
             dependencies=[IdempotentWrite])
async def create_api_key(body: ApiKeyCreate, identity: Identity):
    """Create a key with a role no higher than the caller's; the secret is shown only here."""
    created = await identity.CreateApiKey(to_message(pb.CreateApiKeyRequest, body.model_dump()))
    return to_public(ApiKeyCreated, created, current_reader())


@router.get("", response_model=ApiKeyList)
async def list_api_keys(identity: Identity, limit: Limit = 50,
                        cursor: Cursor = None):
    """The organization's API keys (never their secrets), a page at a time."""
    page = await identity.ListApiKeys(to_message(
        pb.ListApiKeysRequest, {"page_size": limit, "page_token": cursor}))
    return ApiKeyList(api_keys=[public(k) for k in page.api_keys],
                      next_cursor=page.next_page_token or None)


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               dependencies=[IdempotentWrite])
async def revoke_api_key(key_id: Annotated[uuid.UUID, Path(alias="id")],
                         identity: Identity) -> Response:
    """Revoke a key; gateways stop accepting it as soon as they hear of the revocation."""
    await identity.RevokeApiKey(pb.RevokeApiKeyRequest(id=str(key_id)))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
