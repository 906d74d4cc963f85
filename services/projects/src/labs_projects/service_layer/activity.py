"""The activity feed: record every event of the org (consumers) and read it back (API)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC

from labs.events.v1 import envelope_pb2
from labs_common.auth.principal import Principal
from labs_common.errors import InvalidArgument
from labs_projects.adapters.activity_repository import ActivityPosition
from labs_projects.adapters.payloads import payload_dict
from labs_projects.domain import rules
from labs_projects.domain.activity import (
    Activity,
    entity_id_of,
    entity_type_of,
    project_id_of,
)
from labs_projects.service_layer.access import is_client
from labs_projects.service_layer.unit_of_work import ProjectsUnitOfWork

# Identity events whose payload would tell readers of the feed about sessions: recorded with
# their action and actor only.
PRIVATE_PAYLOADS = {("identity", "member.logged_in"), ("identity", "session.refreshed")}
MAX_ENTITY_TYPE = 64


async def record_event(envelope: envelope_pb2.Envelope, uow: ProjectsUnitOfWork) -> None:
    """One immutable entry per event; platform-wide events (no org) belong to no feed."""
    if not envelope.org_id or not envelope.type:
        return
    payload = payload_dict(envelope)
    metadata = {} if (envelope.source, envelope.type) in PRIVATE_PAYLOADS else payload
    occurred = envelope.occurred_at.ToDatetime(tzinfo=UTC)
    await uow.activities.add(
        Activity(
            id=uuid.UUID(envelope.id),
            org_id=uuid.UUID(envelope.org_id),
            source=envelope.source,
            action=envelope.type,
            entity_type=entity_type_of(envelope.type),
            entity_id=entity_id_of(envelope.type, payload),
            project_id=project_id_of(envelope.project_id, payload),
            user_id=uuid.UUID(envelope.actor_id) if envelope.actor_id else None,
            created_at=occurred,
            metadata=metadata,
        )
    )


async def list_activities(
    uow: ProjectsUnitOfWork,
    principal: Principal,
    after: ActivityPosition | None,
    limit: int,
    *,
    project_id: uuid.UUID | None,
    entity_type: str,
    user_id: uuid.UUID | None,
) -> list[Activity]:
    rules.check_storable(entity_type, "entity_type")
    if len(entity_type) > MAX_ENTITY_TYPE:
        raise InvalidArgument.on("entity_type", f"must be at most {MAX_ENTITY_TYPE} characters")
    client_id = None
    if is_client(principal):
        if principal.client_id is None:
            return []
        client_id = principal.client_id
    entries = await uow.activities.page(
        principal.org_id,
        after,
        limit,
        project_id=project_id,
        entity_type=entity_type,
        user_id=user_id,
        client_id=client_id,
    )
    if client_id is not None:
        # What an hour costs the agency is not the client's business; what it is billed is.
        entries = [
            replace(entry, metadata=without_internal_fields(entry.metadata)) for entry in entries
        ]
    return entries


INTERNAL_FIELDS = frozenset(
    {"cost_rate", "cost_rates", "cost", "labor_cost", "margin", "margin_dollar", "margin_percent"}
)


def without_internal_fields(value):
    """`value` with every INTERNAL_FIELDS key removed, at any depth."""
    if isinstance(value, dict):
        return {k: without_internal_fields(v) for k, v in value.items() if k not in INTERNAL_FIELDS}
    if isinstance(value, list):
        return [without_internal_fields(item) for item in value]
    return value
