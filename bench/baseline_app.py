"""The baseline: a bare FastAPI app that answers like the gateway but does no work behind it.

It returns bodies of the same shape and size through pydantic response models with the gateway's
field names, and is served by uvicorn the way the gateway is (one process, uvicorn's default loop
and HTTP implementations, no access log), so a ratio against it isolates what the gateway adds:
auth, rate limiting, middleware, the gRPC hops to the services and PostgreSQL behind them.

- GET /api/v1/projects: the 20 projects `project_body` describes (the same ones the read
  benchmark creates through the REST API), built into models per request, nothing stored.
- POST /api/v1/projects/{id}/time-entries: an echo. It validates a time-entry body and answers 201
  with a time-entry-shaped object made from it (fixed rates, nothing looked up, nothing stored).

Run: `python -m bench.baseline_app --port 8123`.
"""

from __future__ import annotations

import argparse
import uuid
from datetime import UTC, datetime
from typing import Literal

import uvicorn
from fastapi import FastAPI, status
from pydantic import BaseModel, Field

PROJECTS = 20


def project_body(i: int, client_id: str) -> dict:
    """Project i as POST /projects takes it: the read benchmark creates these on the gateway, and
    the baseline lists the same values, so both bodies are about the same size."""
    return {
        "name": f"Bench project {i:02d}", "client_id": client_id,
        "description": f"Benchmark project {i:02d}: a website relaunch with a design phase, "
                       "a build phase and a hand-over.",
        "status": "active", "priority": "medium", "budget_type": "time_and_materials",
        "budget_total": "25000.00", "budget_currency": "USD", "budget_hours": 160.0,
        "start_date": "2026-01-05", "end_date": "2026-06-30", "billing_rate_override": "150.00",
    }


# Mirrors labs_gateway.schemas.projects.ProjectPublic / ProjectList (field names and types).
class ProjectPublic(BaseModel):
    id: str
    client_id: str | None
    name: str
    description: str
    status: Literal["planning", "active", "on_hold", "completed", "archived"]
    priority: Literal["low", "medium", "high", "urgent"]
    budget_type: Literal["fixed_fee", "time_and_materials", "retainer", "non_billable"]
    budget_total: str | None
    budget_currency: str
    budget_hours: float | None
    start_date: str | None
    end_date: str | None
    billing_rate_override: str | None
    project_manager_id: str | None
    github_repo_url: str | None
    slack_channel_id: str | None
    created_at: datetime | None
    updated_at: datetime | None


class ProjectList(BaseModel):
    projects: list[ProjectPublic]
    next_cursor: str | None


# Mirrors labs_gateway.schemas.time.TimeEntryCreate / TimeEntryPublic.
class TimeEntryCreate(BaseModel):
    hours: float | None = None
    started_at: str | None = Field(None, max_length=40)
    ended_at: str | None = Field(None, max_length=40)
    date_worked: str | None = Field(None, max_length=10)
    billable: bool = True
    notes: str = Field("", max_length=10_000)
    task_id: str | None = None
    user_id: str | None = None


class TimeEntryPublic(BaseModel):
    id: str
    project_id: str
    task_id: str | None
    user_id: str
    resource_id: str | None
    date_worked: str
    hours: float | None
    rounded_hours: float | None
    started_at: datetime | None
    ended_at: datetime | None
    is_running: bool
    billable: bool
    billable_rate: str | None
    cost_rate: str | None
    currency: str | None
    rate_source: Literal["project", "resource", "import", "none"]
    notes: str
    status: Literal["draft", "submitted", "approved"]
    is_locked: bool
    locked_reason: str | None
    invoice_id: str | None
    invoiced: bool
    source: str
    created_at: datetime | None
    updated_at: datetime | None


# Built once: the gateway builds its answer per request from a gRPC reply; building the models
# here per request too keeps the pydantic validation + serialization cost in the baseline.
_CLIENT_ID = str(uuid.uuid4())
_USER_ID = str(uuid.uuid4())
_CREATED = datetime.now(UTC)
_PROJECTS = [{**project_body(i, _CLIENT_ID), "id": str(uuid.uuid4()), "project_manager_id": None,
              "github_repo_url": None, "slack_channel_id": None, "created_at": _CREATED,
              "updated_at": _CREATED} for i in range(PROJECTS)]

app = FastAPI(title="bench baseline")


@app.get("/api/v1/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/api/v1/projects", response_model=ProjectList)
async def projects() -> ProjectList:
    return ProjectList(projects=[ProjectPublic(**p) for p in _PROJECTS], next_cursor=None)


@app.post("/api/v1/projects/{project_id}/time-entries", status_code=status.HTTP_201_CREATED,
          response_model=TimeEntryPublic)
async def echo_time_entry(project_id: uuid.UUID, body: TimeEntryCreate) -> TimeEntryPublic:
    now = datetime.now(UTC)
    return TimeEntryPublic(
        id=str(uuid.uuid4()), project_id=str(project_id), task_id=body.task_id,
        user_id=body.user_id or _USER_ID, resource_id=None,
        date_worked=body.date_worked or now.date().isoformat(), hours=body.hours,
        rounded_hours=body.hours, started_at=None, ended_at=None, is_running=False,
        billable=body.billable, billable_rate="150.00", cost_rate=None, currency="USD",
        rate_source="project", notes=body.notes, status="draft", is_locked=False,
        locked_reason=None, invoice_id=None, invoiced=False, source="manual", created_at=now,
        updated_at=now)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # Mirrors labs_gateway.main.uvicorn_config where it matters for speed.
    uvicorn.run(app, host=args.host, port=args.port, workers=1, access_log=False,
                log_level="warning", proxy_headers=True, lifespan="on")


if __name__ == "__main__":
    main()
