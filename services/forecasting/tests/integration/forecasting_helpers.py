"""Helpers shared by forecasting's integration tests (a module, so tests can import it): an
owner's session, the owners' envelopes published as their relays would, and polling a margin
until it reads as expected (with a deadline)."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

import grpc

from labs.events.v1 import envelope_pb2
from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs_common.events.outbox import subject_for

PASSWORD = "correct horse battery"


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


async def signup(identity_stub) -> identity_pb.Session:
    response = await identity_stub.Signup(identity_pb.SignupRequest(
        email=f"owner-{uuid.uuid4().hex[:8]}@example.com", password=PASSWORD,
        organization_name="Agency"))
    return response.session


async def publish(js, source: str, org_id: str, event_type: str, payload, *,
                  occurred_at: datetime | None = None, project_id: str = ""
                  ) -> envelope_pb2.Envelope:
    """`payload` as event `event_type` of `source`'s stream, as its outbox relay publishes it."""
    envelope = envelope_pb2.Envelope(id=str(uuid.uuid4()), type=event_type, source=source,
                                     org_id=org_id, project_id=project_id)
    envelope.occurred_at.FromDatetime(occurred_at or datetime.now(UTC))
    envelope.payload.Pack(payload)
    await js.publish(subject_for(source, uuid.UUID(org_id), event_type),
                     envelope.SerializeToString(), headers={"Nats-Msg-Id": envelope.id})
    return envelope


async def margin_of(stub, session, project_id: str) -> pb.Margin | None:
    try:
        response = await stub.GetProjectMargin(pb.GetProjectMarginRequest(project_id=project_id),
                                               metadata=bearer(session.access_token))
    except grpc.aio.AioRpcError as error:
        if error.code() is grpc.StatusCode.NOT_FOUND:
            return None
        raise
    return response.margin


async def until_margin(stub, session, project_id: str, timeout: float = 20.0,
                       **expected: str) -> pb.Margin:
    """The project's margin once every field of `expected` reads as given (fails at the
    deadline with what it read last)."""
    deadline = time.monotonic() + timeout
    while True:
        margin = await margin_of(stub, session, project_id)
        seen = None if margin is None else {k: getattr(margin, k) for k in expected}
        if seen == expected:
            return margin
        if time.monotonic() > deadline:
            raise AssertionError(f"margin of {project_id}: {seen}, not {expected}")
        await asyncio.sleep(0.05)
