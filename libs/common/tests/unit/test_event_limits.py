"""An event too large for NATS is refused when it is written, as a 4xx for the caller."""

from __future__ import annotations

import uuid

import grpc
import pytest
from google.protobuf import wrappers_pb2

from labs_common.db.uow import Scope
from labs_common.errors import InvalidArgument
from labs_common.events.outbox import MAX_ENVELOPE_BYTES, EventTooLarge
from labs_common.grpc.status import status_code
from labs_common.testing.fakes import FakeOutbox


async def test_an_event_over_the_limit_is_refused_before_it_is_stored():
    outbox = FakeOutbox(Scope(org_id=uuid.uuid4()))
    # Two 0.9 MB settings in one organization update: more than NATS's 1 MiB max_payload.
    huge = wrappers_pb2.StringValue(value="x" * 1_800_000)
    with pytest.raises(EventTooLarge) as refused:
        await outbox.add("organization.updated", huge)
    assert outbox.events == []
    assert isinstance(refused.value, InvalidArgument)
    assert refused.value.http_status == 422
    assert status_code(refused.value) == grpc.StatusCode.INVALID_ARGUMENT
    assert refused.value.reason == "EVENT_TOO_LARGE"


async def test_an_event_just_under_the_limit_is_kept():
    outbox = FakeOutbox(Scope(org_id=uuid.uuid4()))
    envelope = await outbox.add(
        "organization.updated", wrappers_pb2.StringValue(value="x" * (MAX_ENVELOPE_BYTES - 500))
    )
    assert outbox.events == [envelope]
    assert MAX_ENVELOPE_BYTES < 1024 * 1024  # NATS's default max_payload, headers included
