"""Links hear projects' task.deleted: a deleted task's links go (nobody may read them, and the
refresher should not read their targets again)."""

from __future__ import annotations

import uuid

from labs.events.v1 import envelope_pb2
from labs.projects.v1 import events_pb2 as project_events
from labs_common.events.consumer import Subscription
from labs_integrations.service_layer.links import forget_task

CONSUMER = "integrations-links"


async def on_task_deleted(envelope: envelope_pb2.Envelope, uow) -> None:
    event = project_events.TaskDeleted()
    envelope.payload.Unpack(event)
    await forget_task(uuid.UUID(event.task_id), uow)


def link_subscriptions() -> list[Subscription]:
    return [Subscription(CONSUMER, "projects", "task.deleted", on_task_deleted)]
