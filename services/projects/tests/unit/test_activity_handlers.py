"""The activity feed's handlers against fakes: what is recorded of an event, and what each reader
gets back (the visibility policy), with no PostgreSQL and no NATS."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from google.protobuf import timestamp_pb2

from labs.events.v1 import envelope_pb2
from labs.options.v1 import visibility_pb2 as options
from labs.time.v1 import events_pb2 as time_events
from labs.time.v1 import time_service_pb2 as time
from labs_common.auth.roles import Role
from labs_common.testing.fakes import FakeUnitOfWork, a_caller
from labs_projects.domain import commands
from labs_projects.service_layer.activity import list_activities, record_event

ORG = uuid.uuid4()


class FakeActivities:
    """Rows in memory; `page` filters by the reader as the SQL does (readable_records)."""

    def __init__(self) -> None:
        self.rows = []

    async def add(self, activity) -> None:
        self.rows.append(activity)

    async def page(self, org_id, after, limit, *, reader, project_id, entity_type, user_id):
        anyones, own = reader.readable_records()
        return [a for a in self.rows if a.org_id == org_id and (
            a.readers in anyones or (a.readers in own and str(a.owner_id) == reader.user_id))]


class FakeFeedUnitOfWork(FakeUnitOfWork):
    def _start(self) -> None:
        self.activities = FakeActivities()


def entry_event(user_id: uuid.UUID) -> envelope_pb2.Envelope:
    entry = time.TimeEntry(id=str(uuid.uuid4()), user_id=str(user_id), hours="2",
                           billable_rate="150", cost_rate="80")
    envelope = envelope_pb2.Envelope(
        id=str(uuid.uuid4()), type="entry.created", source="time", org_id=str(ORG),
        actor_id=str(user_id), occurred_at=timestamp_pb2.Timestamp(seconds=1_700_000_000))
    envelope.payload.Pack(time_events.EntryChanged(
        entry_id=entry.id, user_id=str(user_id), cost_rate="80", entry=entry))
    return envelope


@pytest.fixture
async def feed():
    """One org's feed holding a member's entry and a colleague's."""
    uow = FakeFeedUnitOfWork()
    member, colleague = uuid.uuid4(), uuid.uuid4()
    for person in (member, colleague):
        await record_event(entry_event(person), uow)
    return uow.activities, member


async def read_as(activities: FakeActivities, role: Role, user_id: uuid.UUID | None = None):
    uow = FakeFeedUnitOfWork(caller=a_caller(role, org_id=ORG, user_id=user_id))
    uow.activities = activities
    return await list_activities(commands.ListActivities(None, 50, None, "", None), uow)


async def test_an_event_is_recorded_with_what_its_contract_says_about_readers(feed):
    activities, member = feed
    recorded = next(a for a in activities.rows if a.owner_id == member)
    assert recorded.payload_type == "labs.time.v1.EntryChanged"
    assert recorded.readers == options.RECORD_READERS_OWNER_OR_MANAGER
    assert recorded.created_at == datetime.fromtimestamp(1_700_000_000, UTC)


async def test_a_manager_reads_every_entry_with_its_cost(feed):
    activities, _ = feed
    shown = await read_as(activities, Role.MANAGER)
    assert len(shown) == 2 and all(a.metadata["entry"]["cost_rate"] == "80" for a in shown)


async def test_a_member_reads_only_their_own_entry_and_not_its_cost(feed):
    activities, member = feed
    shown = await read_as(activities, Role.MEMBER, member)
    assert [a.owner_id for a in shown] == [member]
    assert "cost_rate" not in shown[0].metadata and "cost_rate" not in shown[0].metadata["entry"]
    assert shown[0].metadata["entry"]["billable_rate"] == "150"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLIENT])
async def test_viewers_and_clients_read_no_time_entries(feed, role):
    activities, _ = feed
    assert await read_as(activities, role) == []
