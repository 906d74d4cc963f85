"""The activity feed: every state change in the organization, newest first."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from labs.projects.v1 import projects_service_pb2 as pb
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.projects_common import Cursor, Limit, Projects
from labs_gateway.schemas.activity import ActivityList, activity_public

router = APIRouter(tags=["activity"], responses=PROBLEM_RESPONSES)


@router.get("/activity", response_model=ActivityList)
async def list_activity(projects: Projects, limit: Limit = 50,
                        cursor: Cursor = None, project_id: uuid.UUID | None = None,
                        entity_type: Annotated[str, Query(max_length=64)] = "",
                        user_id: uuid.UUID | None = None):
    """Who did what, from every service; filter by project, entity type or user."""
    page = await projects.ListActivities(pb.ListActivitiesRequest(
        page_size=limit, page_token=cursor or "", project_id=str(project_id or ""),
        entity_type=entity_type, user_id=str(user_id or ""),
    ))
    return ActivityList(activities=[activity_public(a) for a in page.activities],
                        next_cursor=page.next_page_token or None)
