"""Durable subscriptions that keep time's read models (service_layer/known.py reads them before
a write): identity's `organization.created|updated` (timezone, currency, settings with the
rounding rule), projects' `project.*` (created, updated, status_changed, archived: each carries
the whole project) and capacity's `resource.*` (created and updated: the resource and its link
to a user; rates_changed: one rate period). Durables time-on-identity-organization-all,
time-on-projects-project-all, time-on-capacity-resource-all.

The consumer framework claims each event id in the inbox with the effect (a redelivery changes
nothing); each row keeps the time of the event that wrote it (the envelope's occurred_at), so
an older event, redelivered late or overtaken on another durable, changes nothing either.
Events of the same subjects that carry something else (a resource's over-allocation) are
claimed without effect."""

from __future__ import annotations

from google.protobuf import json_format

from labs.capacity.v1 import events_pb2 as capacity_events
from labs.events.v1 import envelope_pb2
from labs.identity.v1 import events_pb2 as identity_events
from labs_common.events.consumer import Subscription
from labs_common.events.payloads import (
    field_decimal,
    field_uuid,
    occurred_at,
    project_of,
    unpack_into,
)
from labs_time.adapters.directory import Organization, Project
from labs_time.domain.known import KnownRate, KnownResource, effective_from
from labs_time.service_layer.unit_of_work import TimeUnitOfWork

Envelope = envelope_pb2.Envelope
CONSUMER = "time"


def subscriptions() -> list[Subscription]:
    return [
        Subscription(CONSUMER, "identity", "organization.*", on_organization),
        Subscription(CONSUMER, "projects", "project.*", on_project),
        Subscription(CONSUMER, "capacity", "resource.*", on_resource),
    ]


async def on_organization(envelope: Envelope, uow: TimeUnitOfWork) -> None:
    for kind in (identity_events.OrganizationCreated, identity_events.OrganizationUpdated):
        event = kind()
        if unpack_into(envelope, event):
            org = event.organization  # type: ignore[attr-defined]
            # As Directory.organization reads GetOrganization's answer.
            await uow.known_organizations.put_newer(occurred_at(envelope), Organization(
                org.timezone or "UTC", org.currency or "USD",
                json_format.MessageToDict(org.settings) if org.HasField("settings") else {}))
            return


async def on_project(envelope: Envelope, uow: TimeUnitOfWork) -> None:
    if (found := project_of(envelope)) is None:
        return
    p, archived = found
    if (project_id := field_uuid(p.id)) is None:
        return
    await uow.known_projects.put(occurred_at(envelope), Project(
        project_id, p.name, archived, field_decimal(p.billing_rate_override), p.budget_currency))


async def on_resource(envelope: Envelope, uow: TimeUnitOfWork) -> None:
    rates = capacity_events.ResourceRatesChanged()
    if unpack_into(envelope, rates):
        if (resource_id := field_uuid(rates.resource_id)) is not None:
            r = rates.rate
            await uow.known_resources.put_rate(resource_id, occurred_at(envelope), KnownRate(
                effective_from(r.effective_from), field_decimal(r.billing_rate),
                field_decimal(r.cost_rate), r.currency))
        return
    for kind in (capacity_events.ResourceCreated, capacity_events.ResourceUpdated):
        event = kind()
        if unpack_into(envelope, event):
            r = event.resource  # type: ignore[attr-defined]
            if (resource_id := field_uuid(r.id)) is not None:
                await uow.known_resources.put(occurred_at(envelope), KnownResource(
                    resource_id, r.name, r.email, field_uuid(r.user_id), r.is_placeholder,
                    rates_complete=False))
            return
