"""The baseline: a bare FastAPI app that answers like the gateway but does no work behind it.

It returns bodies of the same shape and size through the same kind of pydantic response models,
and is served by uvicorn the way the gateway is (one process, uvicorn's default loop and HTTP
implementations, no access log), so a ratio against it isolates what the gateway adds: auth, rate
limiting, middleware, the gRPC hop to identity and PostgreSQL behind it.

Run: `python -m bench.baseline_app --port 8123`.
"""

from __future__ import annotations

import argparse
import uuid
from datetime import UTC, datetime

import uvicorn
from fastapi import FastAPI, status
from pydantic import BaseModel


class UserPublic(BaseModel):
    id: str
    email: str
    first_name: str
    last_name: str
    created_at: datetime | None


class MemberPublic(BaseModel):
    user: UserPublic
    role: str | None
    client_id: str | None = None


class MemberList(BaseModel):
    members: list[MemberPublic]
    next_cursor: str | None


class EchoIn(BaseModel):
    name: str
    role: str


class EchoOut(BaseModel):
    id: str
    name: str
    role: str
    created_at: datetime


# Built once: the gateway's answer is built per request, but from a gRPC reply; building it here
# per request too keeps the pydantic validation + serialization cost in the baseline.
_OWNER = {
    "id": str(uuid.uuid4()),
    "email": "owner-bench@example.com",
    "first_name": "",
    "last_name": "",
    "created_at": datetime.now(UTC),
}

app = FastAPI(title="bench baseline")


@app.get("/api/v1/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/api/v1/organizations/current/members", response_model=MemberList)
async def members() -> MemberList:
    return MemberList(members=[MemberPublic(user=UserPublic(**_OWNER), role="owner")],
                      next_cursor=None)


@app.post("/api/v1/echo", status_code=status.HTTP_201_CREATED, response_model=EchoOut)
async def echo(body: EchoIn) -> EchoOut:
    return EchoOut(id=str(uuid.uuid4()), name=body.name, role=body.role,
                   created_at=datetime.now(UTC))


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
