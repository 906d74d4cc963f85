"""Full-text search across the projects, tasks and comments the caller may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from labs.projects.v1 import projects_service_pb2 as pb
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.projects_common import Projects
from labs_gateway.schemas.comments import SearchResults
from labs_gateway.schemas.proto_json import to_public
from labs_gateway.schemas.public import current_reader

router = APIRouter(route_class=ExactJsonRoute, tags=["search"], responses=PROBLEM_RESPONSES)


@router.get("/search", response_model=SearchResults)
async def search(projects: Projects,
                 q: Annotated[str, Query(min_length=1, max_length=200,
                                         description='Words, "phrases", -excluded, OR.')],
                 limit: Annotated[int, Query(ge=1, le=100)] = 20):
    """Best matches first, each with a snippet where matches are wrapped in <mark>."""
    found = await projects.Search(pb.SearchRequest(q=q, limit=limit))
    return to_public(SearchResults, found, current_reader())
