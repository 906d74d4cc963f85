"""Time's read models on real PostgreSQL, NATS and neighbours: the owners' events fill them, a
quiet row answers a write without asking anyone, a row time has not heard of (or lost) is asked
for over gRPC and kept, an older event never overwrites a newer row, and the rates time reads
locally are those capacity's GetRates answers."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from google.protobuf import any_pb2
from sqlalchemy import delete, update
from time_helpers import eventually, known_project, project, signup, time_uow

from labs.capacity.v1 import capacity_service_pb2 as capacity_pb
from labs.events.v1 import envelope_pb2
from labs.projects.v1 import events_pb2 as projects_events
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs.time.v1 import time_service_pb2 as pb
from labs_time.adapters.orm import (
    known_organizations,
    known_projects,
    known_resource_rates,
    known_resources,
)
from labs_time.domain.known import rates_on
from labs_time.entrypoints import read_model_consumers

LONG_AGO = datetime.now(UTC) - timedelta(days=1)


async def heard_project(clients, owner, project_id, check=lambda known: True):
    async def probe():
        known = await known_project(clients, owner, project_id)
        return known if known is not None and check(known) else None

    return await eventually(probe, f"time hears of project {project_id}")


async def set_rows(clients, owner, statement) -> None:
    """Changes time's read model directly (as if its events had said so long ago)."""
    async with time_uow(clients, owner) as uow:
        await uow.session.execute(statement)
        await uow.commit()


async def log(clients, owner, project_id, **fields) -> pb.TimeEntry:
    return (await clients.time.CreateTimeEntry(pb.CreateTimeEntryRequest(
        project_id=project_id, **{"hours": "1", **fields}), metadata=owner.auth)).entry


async def test_projects_events_fill_the_read_model_and_a_change_reaches_it(clients):
    owner = await signup(clients)
    project_id = await project(clients, owner, override="120.00", currency="EUR")
    known = await heard_project(clients, owner, project_id)
    assert (known.billing_rate_override, known.currency, known.archived) == (
        Decimal("120.00"), "EUR", False)
    await clients.projects.UpdateProject(projects_pb.UpdateProjectRequest(
        id=project_id, project=projects_pb.Project(billing_rate_override="130.00"),
        update_mask={"paths": ["billing_rate_override"]}), metadata=owner.auth)
    await heard_project(clients, owner, project_id,
                        lambda known: known.billing_rate_override == Decimal("130.00"))


async def test_a_quiet_row_answers_the_write_without_asking_projects(clients):
    owner = await signup(clients)
    project_id = await project(clients, owner, override="120.00")
    await heard_project(clients, owner, project_id)
    # What only time's read model says (projects says 120.00): the entry shows it was read.
    await set_rows(clients, owner, update(known_projects).where(
        known_projects.c.id == uuid.UUID(project_id)).values(
        billing_rate_override=Decimal("999.00"), as_of=LONG_AGO))
    entry = await log(clients, owner, project_id)
    assert (entry.billable_rate, entry.rate_source) == ("999.00", "project")


async def test_a_project_time_has_no_row_for_is_asked_and_kept(clients):
    owner = await signup(clients)
    project_id = await project(clients, owner, override="120.00")
    await heard_project(clients, owner, project_id)
    await set_rows(clients, owner, delete(known_projects).where(
        known_projects.c.id == uuid.UUID(project_id)))
    entry = await log(clients, owner, project_id)
    assert (entry.billable_rate, entry.rate_source) == ("120.00", "project")
    kept = await known_project(clients, owner, project_id)
    assert kept is not None and kept.billing_rate_override == Decimal("120.00")


async def test_the_orgs_rounding_is_read_from_the_read_model_once_quiet(clients):
    owner = await signup(clients, {"time_rounding": {"unit_minutes": 15, "mode": "up"}})
    project_id = await project(clients, owner)

    async def heard():
        async with time_uow(clients, owner) as uow:
            org = await uow.known_organizations.get()
        return org is not None and "time_rounding" in org.settings

    await eventually(heard, "time hears of the org's rounding")
    assert (await log(clients, owner, project_id, hours="0.1")).rounded_hours == "0.25"
    await set_rows(clients, owner, update(known_organizations).values(
        settings={"time_rounding": {"unit_minutes": 60, "mode": "up"}}, as_of=LONG_AGO))
    assert (await log(clients, owner, project_id, hours="0.1")).rounded_hours == "1.00"


async def test_an_older_project_event_does_not_overwrite_a_newer_row(clients):
    owner = await signup(clients)
    project_id = await project(clients, owner, override="120.00")
    known = await heard_project(clients, owner, project_id)

    def event(override: str, occurred_at: datetime) -> envelope_pb2.Envelope:
        message = envelope_pb2.Envelope(id=str(uuid.uuid4()), type="project.updated",
                                        org_id=owner.org_id)
        message.occurred_at.FromDatetime(occurred_at)
        payload = any_pb2.Any()
        payload.Pack(projects_events.ProjectUpdated(project=projects_pb.Project(
            id=project_id, name="Website", billing_rate_override=override,
            budget_currency="USD", status=projects_pb.PROJECT_STATUS_ACTIVE)))
        message.payload.CopyFrom(payload)
        return message

    async with time_uow(clients, owner) as uow:
        as_of = await uow.known_projects.as_of(uuid.UUID(project_id))
        await read_model_consumers.on_project(event("50.00", as_of - timedelta(seconds=1)),
                                              uow)
        await uow.commit()
    assert await known_project(clients, owner, project_id) == known
    async with time_uow(clients, owner) as uow:
        await read_model_consumers.on_project(event("140.00", as_of + timedelta(seconds=1)),
                                              uow)
        await uow.commit()
    changed = await known_project(clients, owner, project_id)
    assert changed.billing_rate_override == Decimal("140.00")


async def test_local_rates_are_capacitys_and_answer_once_the_history_is_known(clients):
    owner = await signup(clients)
    project_id = await project(clients, owner)
    created = (await clients.capacity.CreateResource(capacity_pb.CreateResourceRequest(
        resource=capacity_pb.Resource(
            name="Olive", email=owner.email, user_id=owner.user_id,
            seniority_level=capacity_pb.SeniorityLevel.Value("SENIORITY_LEVEL_MID"),
            billing_rate="100.00", cost_rate="60.00", currency="USD"),
        rates_effective_from="2026-01-01"), metadata=owner.auth)).resource
    resource_id = uuid.UUID(created.id)

    async def resource_row():
        async with time_uow(clients, owner) as uow:
            return await uow.known_resources.get(resource_id)

    heard = await eventually(resource_row, "time hears of the resource")
    assert heard.user_id == uuid.UUID(owner.user_id) and not heard.rates_complete

    # resource.created does not say when the rates began: the first write asks capacity and
    # reads the whole history once.
    entry = await log(clients, owner, project_id, date_worked="2026-03-02")
    assert (entry.billable_rate, entry.cost_rate) == ("100.00", "60.00")
    assert (await resource_row()).rates_complete

    await clients.capacity.UpdateResource(capacity_pb.UpdateResourceRequest(
        resource=capacity_pb.Resource(id=created.id, billing_rate="130.00"),
        update_mask={"paths": ["billing_rate"]}, rates_effective_from="2026-05-01"),
        metadata=owner.auth)

    async def periods():
        # rates_changed and then resource.updated, from one transaction: both heard.
        async with time_uow(clients, owner) as uow:
            found = await uow.known_resources.rates(resource_id)
            resource = await uow.known_resources.get(resource_id)
        heard = len(found) == 2 and resource.as_of >= max(p.as_of for p in found)
        return found if heard else None

    history = await eventually(periods, "time hears of the new rates")
    for day in (date(2025, 12, 31), date(2026, 1, 1), date(2026, 4, 30), date(2026, 5, 1),
                date(2026, 11, 30)):
        asked = await clients.capacity.GetRates(capacity_pb.GetRatesRequest(
            user_id=owner.user_id, date=day.isoformat()), metadata=owner.auth)
        local = rates_on(history, day)
        if not asked.found:
            assert local is None, day
            continue
        assert local is not None, day
        assert (local.billable_rate, local.cost_rate, local.currency) == (
            Decimal(asked.billing_rate), Decimal(asked.cost_rate), asked.currency), day

    # Quiet rows answer: a rate only time's read model holds shows it was read there.
    await set_rows(clients, owner, update(known_resource_rates).where(
        known_resource_rates.c.resource_id == resource_id,
        known_resource_rates.c.effective_from == date(2026, 5, 1)).values(
        billing_rate=Decimal("777.00"), as_of=LONG_AGO))
    await set_rows(clients, owner, update(known_resources).where(
        known_resources.c.id == resource_id).values(as_of=LONG_AGO))
    await set_rows(clients, owner, update(known_resource_rates).where(
        known_resource_rates.c.resource_id == resource_id).values(as_of=LONG_AGO))
    later = await log(clients, owner, project_id, date_worked="2026-05-04")
    earlier = await log(clients, owner, project_id, date_worked="2026-04-30")
    assert (later.billable_rate, earlier.billable_rate) == ("777.00", "100.00")
