"""The time area of the API: entries, timers, approvals, expenses and import jobs."""

from __future__ import annotations

from fastapi import APIRouter

from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.routes import (
    time_approvals,
    time_entries,
    time_expenses,
    time_imports,
    time_timers,
)

router = APIRouter(route_class=ExactJsonRoute)
# Fixed paths first (/time-entries/submit, /bulk-import...) so they win over /time-entries/{id}.
for part in (time_approvals, time_imports, time_entries, time_timers, time_expenses):
    router.include_router(part.router)
