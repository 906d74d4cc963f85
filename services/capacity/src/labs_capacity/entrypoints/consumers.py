"""Durable subscriptions of the capacity service: projects' status, so allocations to an archived
project leave capacity (service_layer/project_states.py). The consumer framework claims each
event id in the inbox, so a redelivered event changes nothing; an older event than the one a
project's state came from is ignored (events of one project may arrive on different durables)."""

from __future__ import annotations

import uuid

from google.protobuf.message import Message

from labs.events.v1 import envelope_pb2
from labs.projects.v1 import events_pb2
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs_capacity.service_layer.project_states import project_status_heard
from labs_capacity.service_layer.unit_of_work import CapacityUnitOfWork
from labs_common.events.consumer import Subscription
from labs_common.events.payloads import occurred_at
from labs_common.protobuf import enum_api_name

CONSUMER = "capacity"
def subscriptions() -> list[Subscription]:
    return [
        Subscription(CONSUMER, "projects", "project.created", on_project_created),
        Subscription(CONSUMER, "projects", "project.status_changed", on_project_status_changed),
        Subscription(CONSUMER, "projects", "project.archived", on_project_archived),
    ]


async def on_project_created(envelope: envelope_pb2.Envelope, uow: CapacityUnitOfWork) -> None:
    await _heard(envelope, uow, events_pb2.ProjectCreated())


async def on_project_status_changed(
    envelope: envelope_pb2.Envelope, uow: CapacityUnitOfWork
) -> None:
    await _heard(envelope, uow, events_pb2.ProjectStatusChanged())


async def on_project_archived(envelope: envelope_pb2.Envelope, uow: CapacityUnitOfWork) -> None:
    await _heard(envelope, uow, events_pb2.ProjectArchived(), archived=True)


def status_name(value: int) -> str:
    """"archived" for PROJECT_STATUS_ARCHIVED, as the REST API and projects' domain name it."""
    status = projects_pb.ProjectStatus
    return enum_api_name(status.DESCRIPTOR, status.Name(value))


async def _heard(
    envelope: envelope_pb2.Envelope, uow: CapacityUnitOfWork, event: Message,
    *, archived: bool = False,
) -> None:
    envelope.payload.Unpack(event)
    project = event.project  # type: ignore[attr-defined]
    status = "archived" if archived else status_name(project.status)
    await project_status_heard(
        uow, uuid.UUID(project.id), status, occurred_at(envelope)
    )
