"""The activity feed: every state change in the organization, newest first."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from labs.projects.v1 import projects_service_pb2 as pb
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.projects_common import Cursor, Limit, Projects
from labs_gateway.schemas.activity import ActivityList
from labs_gateway.schemas.proto_json import to_message
from labs_gateway.schemas.public import public

router = APIRouter(route_class=ExactJsonRoute, tags=["activity"], responses=PROBLEM_RESPONSES)


@router.get("/activity", response_model=ActivityList)
async def list_activity(projects: Projects, limit: Limit = 50,
                        cursor: Cursor = None, project_id: uuid.UUID | None = None,
                        entity_type: Annotated[str, Query(max_length=64)] = "",
                        user_id: uuid.UUID | None = None):
    """Who did what, from every service; filter by project, entity type or user."""
    page = await projects.ListActivities(to_message(pb.ListActivitiesRequest, {
        "page_size": limit, "page_token": cursor, "project_id": project_id,
        "entity_type": entity_type, "user_id": user_id}))
    return ActivityList(activities=[public(a) for a in page.activities],
                        next_cursor=page.next_page_token or None)
