"""Every route of the projects area (clients, projects, tasks, sprints, comments, files,
activity, search) under one router, so the app registers the area in one line."""

from __future__ import annotations

from fastapi import APIRouter

from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.routes import (
    activity,
    clients,
    comments,
    files,
    projects,
    search,
    sprints,
    tasks,
)

router = APIRouter(route_class=ExactJsonRoute)
for _area in (clients, projects, tasks, sprints, activity, comments, search, files):
    router.include_router(_area.router)
