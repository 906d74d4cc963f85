"""Members of the caller's organization: list them, change a role, remove someone."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from labs.identity.v1 import identity_service_pb2 as pb
from labs_gateway.dependencies import IdempotentWrite, Identity
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.schemas.identity import MemberList, MemberPublic, MemberUpdate
from labs_gateway.schemas.proto_json import to_message
from labs_gateway.schemas.public import public

router = APIRouter(prefix="/organizations/current/members", tags=["organizations"],
                   responses=PROBLEM_RESPONSES, route_class=ExactJsonRoute)

Limit = Annotated[int, Query(ge=1, le=500, description="Page size (default 50, max 500).")]
Cursor = Annotated[str | None, Query(max_length=1024, description="The last page's next_cursor.")]


@router.get("", response_model=MemberList)
async def list_members(identity: Identity, limit: Limit = 50,
                       cursor: Cursor = None):
    """The organization's members with their roles, a page at a time."""
    page = await identity.ListMembers(to_message(
        pb.ListMembersRequest, {"page_size": limit, "page_token": cursor}))
    return MemberList(members=[public(m) for m in page.members],
                      next_cursor=page.next_page_token or None)


@router.patch("/{user_id}", response_model=MemberPublic, dependencies=[IdempotentWrite])
async def update_member(user_id: uuid.UUID, body: MemberUpdate, identity: Identity):
    """Change a member's role (and client for the client role). Admin or owner."""
    updated = await identity.UpdateMember(to_message(
        pb.UpdateMemberRequest, {"user_id": user_id, **body.model_dump()}))
    return public(updated.member)


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               dependencies=[IdempotentWrite])
async def remove_member(user_id: uuid.UUID, identity: Identity) -> Response:
    """Remove a member and end their sessions. Admin or owner; never the last owner."""
    await identity.RemoveMember(pb.RemoveMemberRequest(user_id=str(user_id)))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
