"""A message → the JSON object REST returns for it, for every channel that shows the same object
elsewhere (the WebSocket's `data`, and the webhooks and exports that come next)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.protobuf.message import Message
from pydantic import BaseModel

from labs.capacity.v1 import capacity_service_pb2 as capacity
from labs.identity.v1 import identity_service_pb2 as identity
from labs.projects.v1 import projects_service_pb2 as projects
from labs.time.v1 import time_service_pb2 as time
from labs_common.visibility import Reader, hidden_fields, redact
from labs_gateway.schemas import (
    capacity_mapping,
    comments,
    files,
    identity_mapping,
    projects_mapping,
    tasks_mapping,
    time_mapping,
)

_PUBLIC: dict[str, Callable[[Any], BaseModel]] = {
    message.DESCRIPTOR.full_name: mapper
    for message, mapper in (
        (time.TimeEntry, time_mapping.entry_public),
        (time.Expense, time_mapping.expense_public),
        (projects.Client, projects_mapping.client_public),
        (projects.Project, projects_mapping.project_public),
        (projects.Task, tasks_mapping.task_public),
        (projects.Sprint, tasks_mapping.sprint_public),
        (projects.Comment, comments.comment_public),
        (projects.File, files.file_public),
        (capacity.Resource, capacity_mapping.resource_public),
        (capacity.Rate, capacity_mapping.rate_public),
        (capacity.TimeOff, capacity_mapping.time_off_public),
        (capacity.Holiday, capacity_mapping.holiday_public),
        (capacity.Allocation, capacity_mapping.allocation_public),
        (identity.Organization, identity_mapping.organization_public),
        (identity.Member, identity_mapping.member_public),
        (identity.Invitation, identity_mapping.invitation_public),
    )
}


def has_public_form(message_name: str) -> bool:
    return message_name in _PUBLIC


def public_json(message: Message, reader: Reader) -> dict[str, Any]:
    """The object as REST writes it for `reader`: what the visibility policy hides from that
    reader is absent (not null), exactly as in the REST answer."""
    shown = redact(message, reader)
    model = _PUBLIC[message.DESCRIPTOR.full_name](shown)
    return model.model_dump(mode="json", exclude=set(hidden_fields(message.DESCRIPTOR, reader)))
