"""Helpers shared by the projects service's integration tests (imported by module name)."""

from __future__ import annotations

import time
import uuid

import grpc
import pytest
from identity_helpers import bearer, invite_and_join, signup

from labs.events.v1 import envelope_pb2
from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.projects.v1 import projects_service_pb2 as pb
from labs_common.errors import LabsError, from_rpc_error

__all__ = ["bearer", "invite_and_join", "signup"]


async def new_org(identity_stub) -> identity_pb.Session:
    return await signup(identity_stub, org=f"Agency {uuid.uuid4().hex[:6]}")


async def create_project(projects, session, **fields) -> pb.Project:
    client_name = fields.pop("client_name", "")
    fields.setdefault("name", f"Website {uuid.uuid4().hex[:6]}")
    created = await projects.CreateProject(
        pb.CreateProjectRequest(project=pb.Project(**fields), client_name=client_name),
        metadata=bearer(session.access_token),
    )
    return created.project


async def rpc_error(call) -> LabsError:
    """The LabsError a call fails with (the test fails if it succeeds)."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return from_rpc_error(caught.value)


async def next_event(subscription, event_type: str, timeout: float = 10.0):
    """The next envelope of `event_type` on a NATS subscription, polling with a deadline."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = await subscription.next_msg(timeout=left)
        except TimeoutError:
            break
        envelope = envelope_pb2.Envelope.FromString(message.data)
        if envelope.type == event_type:
            return envelope
    raise AssertionError(f"no {event_type} event within {timeout}s")
